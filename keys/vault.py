"""Encryption at rest for every secret Gatehouse must be able to read back later.

Private signing keys and HS256 API secrets are stored as Fernet tokens under
KEY_ENCRYPTION_KEYS (MultiFernet: the first key encrypts, every key decrypts).
Client secrets are not here: they are never read back, so they are stored as digests.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableSecret(Exception):
    """A stored secret that no configured key-encryption key opens."""


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in settings.KEY_ENCRYPTION_KEYS])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "KEY_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 bytes, urlsafe base64)."
        ) from error


def encrypt(plaintext: bytes) -> str:
    return _fernet().encrypt(plaintext).decode("ascii")


def decrypt(ciphertext: str) -> bytes:
    try:
        return _fernet().decrypt(ciphertext.encode("ascii"))
    except InvalidToken as error:
        raise UndecryptableSecret(
            "a stored secret cannot be decrypted with KEY_ENCRYPTION_KEYS"
        ) from error


def reencrypt(ciphertext: str) -> str:
    """The same secret, encrypted under the first (newest) key-encryption key."""
    try:
        return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise UndecryptableSecret(
            "a stored secret cannot be decrypted with KEY_ENCRYPTION_KEYS"
        ) from error


def clear_cache() -> None:
    """Forget the parsed keys (tests that override KEY_ENCRYPTION_KEYS call this)."""
    _fernet.cache_clear()
