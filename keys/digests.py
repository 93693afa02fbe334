"""Digests of random bearer secrets: client secrets, authorization codes, session cookies,
opaque access tokens.

Each is HMAC-SHA256 under a key derived from SECRET_KEY and a purpose, so a leaked database
alone allows no offline guessing, a digest made for one purpose never verifies another, and
a lookup costs microseconds (the secrets are random, not passwords: no slow KDF is needed,
and none may sit on the token path). Compare with `hmac.compare_digest` or look the digest
up by equality in a unique index.
"""

import hashlib
import hmac
from functools import cache

from django.conf import settings


@cache
def _key(purpose: str) -> bytes:
    return hashlib.sha256(
        b"gatehouse." + purpose.encode("ascii") + b"-digest:" + settings.SECRET_KEY.encode()
    ).digest()


def digest(purpose: str, secret: str) -> str:
    """64 lowercase hex characters: HMAC-SHA256(key(purpose), UTF-8 of `secret`).

    `purpose` is a short ASCII label ("client-secret", "authorization-code", ...); lone
    surrogates in `secret` are encoded rather than raising, so hostile input never 500s.
    """
    return hmac.new(
        _key(purpose), secret.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def matches(purpose: str, secret: str, stored_digest: str) -> bool:
    """Whether `secret` digests to `stored_digest`, in constant time."""
    return hmac.compare_digest(digest(purpose, secret), stored_digest)
