"""Proof Key for Code Exchange (RFC 7636): what a challenge may look like, and whether a
verifier answers it."""

import base64
import hashlib
import hmac
import re

S256 = "S256"
PLAIN = "plain"
METHODS = (S256, PLAIN)
# RFC 7636 section 4.1: code-verifier = 43*128unreserved; a plain challenge is a verifier,
# and an S256 challenge is 43 characters of base64url (section 4.2).
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


def challenge_error(challenge: str, method: str) -> str | None:
    """Why a `code_challenge` / `code_challenge_method` pair sent to /authorize is unusable,
    or None. An absent method means `plain` (RFC 7636 section 4.3)."""
    if method not in METHODS:
        return "Unsupported code_challenge_method. Supported: S256, plain."
    pattern = _S256_CHALLENGE if method == S256 else _VERIFIER
    if not pattern.match(challenge):
        return (
            "Parameter 'code_challenge' must be 43 base64url characters (S256)."
            if method == S256
            else "Parameter 'code_challenge' must be 43 to 128 unreserved characters (plain)."
        )
    return None


def verifier_matches(verifier: str, challenge: str, method: str) -> bool:
    """RFC 7636 section 4.6: BASE64URL(SHA256(ASCII(verifier))) == challenge for S256, or
    verifier == challenge for plain; compared in constant time. A verifier outside
    43..128 unreserved characters never matches (section 4.1)."""
    if not isinstance(verifier, str) or not _VERIFIER.match(verifier):
        return False
    if method == S256:
        computed = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest())
            .rstrip(b"=")
            .decode("ascii")
        )
    else:
        computed = verifier
    return hmac.compare_digest(computed.encode("ascii"), challenge.encode("ascii"))
