"""Client secrets: generated with 384 random bits, shown once, stored only as a digest.

The digest is HMAC-SHA256 under a key derived from SECRET_KEY, so a leaked database alone
does not allow offline guessing, and verification costs microseconds (no slow KDF on the
token path: the secret is random, not a password).
"""

import secrets

from keys import digests

PURPOSE = "client-secret"


def new_client_secret() -> str:
    """64 characters of base64url, Auth0's client secret shape."""
    return secrets.token_urlsafe(48)


def digest_secret(secret: str) -> str:
    return digests.digest(PURPOSE, secret)


def verify_secret(secret: str, digest: str) -> bool:
    return digests.matches(PURPOSE, secret, digest)
