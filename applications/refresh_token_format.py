"""What a refresh token is made of (AUTH0_USER_FLOWS.md section 4.4; RFC 6749 section 10.10):
`<family id>.<secret>`, stored only as an HMAC digest (keys/digests.py).

The family id (24 hex characters, the token's public id in the Management API) lets the
server find the family of a token it has no row for: the child of the family's newest token
whose rotation a database crash lost (applications/refresh_token_recovery.py). The
secret is 256 bits: random in a family's first token, and in every later one an HMAC of its
parent under a server key, so the same parent always gives the same child (a retry gets
exactly the token the lost response carried) and nobody without the key can compute it.
Each token's row also keeps its future child's digest (`RefreshToken.child_digest`), never
the child itself, so a leaked database and key still give no usable token.

Tokens issued before the family id was part of them are a bare secret (no "."); they keep
working, and their children have the family id.
"""

import base64
import secrets

from keys import digests

PURPOSE = "refresh-token"
CHILD_PURPOSE = "refresh-token-child"
FAMILY_ID_CHARS = 24
# Longer than any token issued here (68 characters): refused before any digest.
MAX_TOKEN_CHARS = 512
_HEX = frozenset("0123456789abcdef")


def token_digest(token: str) -> str:
    """The stored digest of a refresh token: 64 hex characters."""
    return digests.digest(PURPOSE, token)


def first_token(family_id: str) -> str:
    """A family's first token: its id and 256 random bits."""
    return f"{family_id}.{secrets.token_urlsafe(32)}"


def child_token(parent: str, family_id: str) -> str:
    """The token issued in exchange for `parent` of family `family_id`: the family id and an
    HMAC-SHA256 of the parent under a server key (43 URL-safe base64 characters). Every
    token is a distinct 256-bit secret, so no two parents share a child."""
    return f"{family_id}.{bare_child_token(parent)}"


def bare_child_token(parent: str) -> str:
    """The child of `parent` as derived before tokens named their family: the secret alone.
    Only for handing out again a child issued then (the overlap period)."""
    raw = bytes.fromhex(digests.digest(CHILD_PURPOSE, parent))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def child_digest(token: str, family_id: str) -> str:
    """The digest `token`'s child will have: kept on `token`'s row (see the module
    docstring)."""
    return token_digest(child_token(token, family_id))


def family_id_of(token: str) -> str | None:
    """The family id a token names, or None when it names none (a token issued before ids
    were part of tokens, or anything that is not a token). Unverified: only a match of the
    whole token's digest proves anything."""
    family_id, dot, secret = token.partition(".")
    if not dot or not secret or len(family_id) != FAMILY_ID_CHARS:
        return None
    return family_id if _HEX.issuperset(family_id) else None
