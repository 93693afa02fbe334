"""Client secrets: generated with 384 random bits, shown once, stored only as a digest.

The digest is HMAC-SHA256 under a key derived from SECRET_KEY, so a leaked database alone
does not allow offline guessing, and verification costs microseconds (no slow KDF on the
token path: the secret is random, not a password).
"""

import hashlib
import hmac
import secrets
from functools import cache

from django.conf import settings


@cache
def _digest_key() -> bytes:
    return hashlib.sha256(
        b"gatehouse.client-secret-digest:" + settings.SECRET_KEY.encode()
    ).digest()


def new_client_secret() -> str:
    """64 characters of base64url, Auth0's client secret shape."""
    return secrets.token_urlsafe(48)


def digest_secret(secret: str) -> str:
    return hmac.new(
        _digest_key(), secret.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def verify_secret(secret: str, digest: str) -> bool:
    return hmac.compare_digest(digest_secret(secret), digest)
