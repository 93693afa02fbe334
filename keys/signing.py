"""The tenant's signing keys in use: sign, verify, inspect, publish (JWKS), rotate and revoke.

This is the only module that imports `jwt`. Parsed keys are cached per `kid` in process
memory, so no token request decrypts or parses a PEM; the identity of the current key, and
the published JWKS, are re-read from the database at most every CURRENT_KEY_RECHECK_SECONDS,
which is how a rotation made by another process is noticed.
"""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from keys import crypto, vault
from keys.models import KeyState, SigningKey
from logs import audit

logger = logging.getLogger(__name__)

CURRENT_KEY_RECHECK_SECONDS = 3.0


class NoSigningKey(Exception):
    """The tenant has no current signing key (run `manage.py bootstrap`)."""


class KeyStateError(Exception):
    """A lifecycle transition that is not allowed, e.g. revoking the current key."""


class InvalidToken(Exception):
    """A token that must not be trusted. The message says why, for logs, not for clients."""


@dataclass(frozen=True)
class _CurrentKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    checked_at: float


_lock = threading.Lock()
_current: _CurrentKey | None = None
_private_keys: dict[str, rsa.RSAPrivateKey] = {}
_public_keys: dict[str, rsa.RSAPublicKey] = {}
_hs256_secrets: dict[str, bytes] = {}


def forget_cached_keys() -> None:
    """Drop every cached key, so the next call reads the database again."""
    global _current
    _forget_published_keys()
    with _lock:
        _current = None
        _private_keys.clear()
        _public_keys.clear()
        _hs256_secrets.clear()


def _current_key() -> _CurrentKey:
    global _current
    cached = _current
    now = time.monotonic()
    if cached is not None and now - cached.checked_at < CURRENT_KEY_RECHECK_SECONDS:
        return cached
    current = SigningKey.objects.only("kid").current()
    if current is None:
        raise NoSigningKey("no current signing key: run `manage.py bootstrap`")
    kid = current.kid
    private_key = _private_keys.get(kid)
    if private_key is None:
        ciphertext = SigningKey.objects.values_list("encrypted_private_key", flat=True).get(kid=kid)
        private_key = crypto.load_private_key(vault.decrypt(ciphertext))
        _private_keys[kid] = private_key
    fresh = _CurrentKey(kid=kid, private_key=private_key, checked_at=now)
    _current = fresh
    return fresh


def current_kid() -> str:
    return _current_key().kid


# The JOSE header `typ` values a token may carry: plain JWT (RFC 7519 section 5.1), or the
# media type of RFC 9068 JWT access tokens (section 2.1).
TOKEN_TYPES = ("JWT", "at+jwt")


def sign_rs256(claims: Mapping[str, Any], typ: str = "JWT") -> str:
    """A JWS (RFC 7515) over `claims`, signed with the tenant's current key; `typ` is the
    JOSE header's type, one of TOKEN_TYPES."""
    if typ not in TOKEN_TYPES:
        raise ValueError(f"unknown token type {typ!r}")
    key = _current_key()
    return jwt.encode(
        dict(claims), key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": typ}
    )


def _hs256_secret(encrypted_secret: str) -> bytes:
    # Keyed by the ciphertext itself: a rotated secret has a new ciphertext, so a stale
    # entry can never be used for it.
    secret = _hs256_secrets.get(encrypted_secret)
    if secret is None:
        secret = vault.decrypt(encrypted_secret)
        _hs256_secrets[encrypted_secret] = secret
    return secret


_HS256_HEADERS = {
    typ: crypto.b64url(json.dumps({"alg": "HS256", "typ": typ}, separators=(",", ":")).encode())
    for typ in TOKEN_TYPES
}


def sign_hs256(claims: Mapping[str, Any], encrypted_secret: str, typ: str = "JWT") -> str:
    """A JWS (RFC 7515 section 7.1, compact) signed with an API's own HS256 secret, given
    encrypted as stored; `typ` is the JOSE header's type, one of TOKEN_TYPES. Built directly:
    PyJWT spends more time checking that an HMAC key is not a PEM than HMAC-SHA256 takes, and
    the headers never change. `verify` uses PyJWT."""
    header = _HS256_HEADERS.get(typ)
    if header is None:
        raise ValueError(f"unknown token type {typ!r}")
    payload = crypto.b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    mac = hmac.new(_hs256_secret(encrypted_secret), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{crypto.b64url(mac)}"


def _public_key(kid: str) -> rsa.RSAPublicKey:
    """The public key of a published (non-revoked) key. Revocation is seen at once."""
    jwk = (
        SigningKey.objects.published().filter(kid=kid).values_list("public_jwk", flat=True).first()
    )
    if jwk is None:
        raise InvalidToken("unknown or revoked kid")
    public_key = _public_keys.get(kid)
    if public_key is None:
        public_key = crypto.load_public_key(jwk)
        _public_keys[kid] = public_key
    return public_key


def verify(
    token: str,
    *,
    audience: str,
    now: dt.datetime | None = None,
    hs256_encrypted_secret: str | None = None,
) -> dict[str, Any]:
    """The claims of a valid token, or InvalidToken.

    The algorithm is pinned by the key type, never read from the token: RS256 for tenant keys,
    HS256 only when the caller passes the API's secret. So `alg: none` and HS256 tokens signed
    with the tenant's public key are refused. `iss`, `aud` and `exp` are always checked
    (RFC 7519 section 7.2), against `now` so tests control time.
    """
    if not isinstance(token, str) or token.count(".") != 2:
        raise InvalidToken("not a compact JWS")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(f"malformed header: {error}") from error
    expected_alg = "HS256" if hs256_encrypted_secret else "RS256"
    if header.get("alg") != expected_alg:
        raise InvalidToken(f"alg must be {expected_alg}")
    if hs256_encrypted_secret:
        key: Any = _hs256_secret(hs256_encrypted_secret)
    else:
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("missing kid")
        # Checked before the database sees it: PostgreSQL refuses NUL, UTF-8 lone surrogates.
        if not kid.isascii() or "\x00" in kid or len(kid) > 64:
            raise InvalidToken("malformed kid")
        key = _public_key(kid)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[expected_alg],
            audience=audience,
            issuer=settings.ISSUER,
            options={
                "require": ["iss", "aud", "exp", "iat"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error
    exp = claims["exp"]
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise InvalidToken("exp must be a number")
    if (now or timezone.now()).timestamp() >= exp:
        raise InvalidToken("token has expired")
    return claims


@dataclass(frozen=True)
class TokenInspection:
    """A token taken apart for display (the console's Test tab), and whether it verifies."""

    header: dict[str, Any]
    payload: dict[str, Any]
    issued_at: dt.datetime | None
    expires_at: dt.datetime | None
    verified: bool
    verify_error: str
    kid: str

    @property
    def header_json(self) -> str:
        return json.dumps(self.header, indent=2)

    @property
    def payload_json(self) -> str:
        return json.dumps(self.payload, indent=2)


def _b64json(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def _timestamp(value: object) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return None


def inspect_token(
    token: str,
    *,
    audience: str,
    hs256_encrypted_secret: str | None = None,
    now: dt.datetime | None = None,
) -> TokenInspection:
    """Decode a token for display, and check it the way a resource server would.

    The header and payload are read without trusting them (RFC 7515 section 7.1: base64url
    JSON before the first and second dots; an unreadable segment shows as empty). Whether
    the token may be trusted is `verify`'s answer: the published keys, or the API's HS256
    secret when given, with audience, issuer and expiry checked against `now`.
    """
    try:
        header_segment, payload_segment, _ = token.split(".")
        header, payload = _b64json(header_segment), _b64json(payload_segment)
    except (ValueError, binascii.Error, json.JSONDecodeError):
        header, payload = {}, {}
    try:
        verify(token, audience=audience, now=now, hs256_encrypted_secret=hs256_encrypted_secret)
    except InvalidToken as error:
        verified, verify_error = False, str(error)
    else:
        verified, verify_error = True, ""
    return TokenInspection(
        header=header,
        payload=payload,
        issued_at=_timestamp(payload.get("iat")),
        expires_at=_timestamp(payload.get("exp")),
        verified=verified,
        verify_error=verify_error,
        kid=str(header.get("kid", "")),
    )


@dataclass(frozen=True)
class _PublishedKeys:
    document: dict[str, list[dict[str, object]]]
    checked_at: float


_published: _PublishedKeys | None = None


def jwks() -> dict[str, list[dict[str, object]]]:
    """The JWK Set (RFC 7517 section 5) in Auth0's order: current, next, then previous
    (newest first). Callers must not modify it: it is shared.

    Kept in process memory and re-read at most every CURRENT_KEY_RECHECK_SECONDS, the bound in
    which a rotation made by another process reaches signing; this process's own rotations
    and revocations drop it at once. An unchanged re-read returns the same object, so the
    endpoint can reuse its rendering. While the database cannot be read, the last good copy is
    served (and the read retried after the same interval): resource servers keep verifying.
    """
    global _published
    cached = _published
    now = time.monotonic()
    if cached is not None and now - cached.checked_at < CURRENT_KEY_RECHECK_SECONDS:
        return cached.document
    try:
        keys = SigningKey.objects.published().in_lifecycle_order()
        document = {"keys": [key.to_jwk() for key in keys]}
    except (OperationalError, InterfaceError) as error:
        if cached is None:
            raise
        logger.warning("database unavailable, serving the last good JWKS: %s", error)
        document = cached.document
    if cached is not None and document == cached.document:
        document = cached.document
    _published = _PublishedKeys(document, now)
    return document


def _forget_published_keys() -> None:
    global _published
    _published = None


# Where every new signing key's RSA private key comes from. A module attribute, read at each
# call, so that the test suite can hand out real keys it generated once per session instead
# of spending about 46 ms per key in every test (tests/conftest.py, `key_pool`). Nothing in
# the product changes it; everything else about a new key is made here for each key.
generate_private_key: Callable[[], rsa.RSAPrivateKey] = crypto.generate_private_key


def _new_key(state: str, now: dt.datetime) -> SigningKey:
    material = crypto.key_material(generate_private_key(), settings.TENANT_HOST, now)
    return SigningKey(
        kid=material.kid,
        state=state,
        encrypted_private_key=vault.encrypt(material.private_pem),
        public_jwk=material.public_jwk,
        cert_pem=material.cert_pem,
        pkcs7_pem=material.pkcs7_pem,
        thumbprint=material.thumbprint,
        fingerprint=material.fingerprint,
        x5t=material.x5t,
        x5c=material.x5c,
        created_at=now,
        current_since=now if state == KeyState.CURRENT else None,
    )


def ensure_keys(now: dt.datetime | None = None) -> list[SigningKey]:
    """Make sure a current and a next key exist. Idempotent; returns the keys it created."""
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        states = set(
            SigningKey.objects.select_for_update()
            .filter(state__in=[KeyState.CURRENT, KeyState.NEXT])
            .order_by("pk")  # one lock order for every transaction, or two can deadlock
            .values_list("state", flat=True)
        )
        for state in (KeyState.CURRENT, KeyState.NEXT):
            if state not in states:
                key = _new_key(state, now)
                key.save()
                created.append(key)
    if created:
        _forget_published_keys()
    return created


def rotate(now: dt.datetime | None = None) -> SigningKey:
    """Next becomes current, current becomes previous, a new next is published.

    Returns the new current key. One transaction holding row locks on the current and next
    keys; the partial unique constraints make a second current key impossible regardless.
    """
    global _current
    now = now or timezone.now()
    replacement = _new_key(KeyState.NEXT, now)  # RSA generation outside the lock
    with transaction.atomic():
        # Lock first, then read again: a concurrent rotation that held the lock has
        # committed by now, and this statement sees its result.
        list(
            SigningKey.objects.select_for_update()
            .filter(state__in=[KeyState.CURRENT, KeyState.NEXT])
            # One lock order (the model's -created_at ties for keys made together), or two
            # rotations can each hold one row and wait for the other: a deadlock.
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        current = SigningKey.objects.current()
        upcoming = SigningKey.objects.filter(state=KeyState.NEXT).first()
        if upcoming is None:
            raise NoSigningKey("no next signing key: run `manage.py bootstrap`")
        if current is not None:
            current.state = KeyState.PREVIOUS
            current.current_until = now
            current.save(update_fields=["state", "current_until"])
        upcoming.state = KeyState.CURRENT
        upcoming.current_since = now
        upcoming.save(update_fields=["state", "current_since"])
        replacement.save()
        # Kids and states only: key material never reaches a log event.
        audit.changed(
            "Rotate the signing key",
            object_type="signing_key",
            object_id=upcoming.kid,
            before={"current": current.kid if current else None, "next": upcoming.kid},
            after={
                "previous": current.kid if current else None,
                "current": upcoming.kid,
                "next": replacement.kid,
            },
        )
    _current = None
    _forget_published_keys()
    return upcoming


def revocable(key: SigningKey) -> bool:
    """Whether `key` may be revoked: a previous key only (Auth0's rule, AUTH0_COMPAT.md
    section 7.2). The current key must be rotated out first. The next key is never revoked:
    verifiers that cached the JWKS already know it, and would not know a replacement, so the
    rotation that follows would break them; rotating is how it is replaced."""
    return key.state == KeyState.PREVIOUS


_REFUSALS = {
    KeyState.CURRENT: "the current signing key cannot be revoked; rotate first",
    KeyState.NEXT: "the next signing key cannot be revoked; only a previous key can be revoked",
    KeyState.REVOKED: "the signing key is already revoked",
}


def revoke(kid: str, now: dt.datetime | None = None) -> SigningKey:
    """Revoke a previous key: it leaves the JWKS and its tokens stop verifying at once.

    Every surface (console, Management API, CLI) revokes through here, so this is where the
    rule is decided: anything but a previous key raises KeyStateError, with a message that
    says why, and nothing is written. An unknown kid raises SigningKey.DoesNotExist.
    """
    now = now or timezone.now()
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(kid=kid).first()
        if key is None:
            raise SigningKey.DoesNotExist(f"no signing key with kid {kid!r}")
        if not revocable(key):
            raise KeyStateError(_REFUSALS[KeyState(key.state)])
        key.state = KeyState.REVOKED
        key.revoked_at = now
        key.save(update_fields=["state", "revoked_at"])
        audit.changed(
            "Revoke a signing key",
            object_type="signing_key",
            object_id=key.kid,
            before={"kid": key.kid, "state": KeyState.PREVIOUS.value, "revoked_at": None},
            after={"kid": key.kid, "state": key.state, "revoked_at": now},
        )
    with _lock:
        _public_keys.pop(kid, None)
        _private_keys.pop(kid, None)
    _forget_published_keys()
    return key


def reencrypt_private_keys() -> int:
    """Re-encrypt every stored private key under the first KEY_ENCRYPTION_KEYS entry."""
    count = 0
    with transaction.atomic():
        for key in (
            SigningKey.objects.select_for_update()
            .only("pk", "encrypted_private_key")
            .order_by("pk")
        ):
            key.encrypted_private_key = vault.reencrypt(key.encrypted_private_key)
            key.save(update_fields=["encrypted_private_key"])
            count += 1
    return count
