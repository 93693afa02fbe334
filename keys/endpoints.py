"""The public protocol endpoints of the keys app (RFC 6749 section 3 calls them endpoints):
the JWKS verifiers fetch, and the authorization server metadata (RFC 8414) that points to it.

Anonymous, cacheable, and read-only; the console's Signing Keys pages are in keys/views.py.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response

from config.cors import public_document
from keys import signing

# Verifiers re-fetch at most this often; the next key is published ahead of rotation, so a
# rotation never needs a fresh fetch. Revocation is the one change this delays.
JWKS_MAX_AGE_SECONDS = 300


# The JWKS as last rendered: (document, body, ETag). signing.jwks() returns the same object
# while the keys are unchanged, so the body is serialized and hashed once per change.
_rendered: tuple[object, bytes, str] | None = None


def _rendered_jwks() -> tuple[bytes, str]:
    global _rendered
    document = signing.jwks()
    rendered = _rendered
    if rendered is None or rendered[0] is not document:
        body = json.dumps(document, separators=(",", ":")).encode()
        rendered = (document, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        _rendered = rendered
    return rendered[1], rendered[2]


@login_not_required
@public_document
def jwks(request: HttpRequest) -> HttpResponse:
    """The JWKS from process memory (keys/signing.py), so it is still served, from the last
    good copy, while the database is down."""
    body, etag = _rendered_jwks()
    full = HttpResponse(body, content_type="application/json")
    full["ETag"] = etag
    full["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    # A 304 for a matching If-None-Match (RFC 9110 section 13.1.2: weak comparison, lists,
    # "*"), keeping ETag and Cache-Control; the 200 otherwise.
    return get_conditional_response(request, etag=etag, response=full) or full


# What the authorization server does, for its metadata. Written here because keys/ sits
# below applications/ (house rule 5); tests/keys/test_discovery.py checks each list against
# what applications/ actually accepts and emits.
SCOPES_SUPPORTED = ["openid", "profile", "email", "offline_access"]
# Every claim an ID token or /userinfo can carry (applications/id_tokens.py, userinfo.py).
CLAIMS_SUPPORTED = [
    "aud",
    "auth_time",
    "email",
    "email_verified",
    "exp",
    "family_name",
    "given_name",
    "iat",
    "iss",
    "name",
    "nickname",
    "nonce",
    "picture",
    "sid",
    "sub",
    "updated_at",
]


def _metadata() -> dict[str, object]:
    """The metadata of RFC 8414 section 2 and OpenID Connect Discovery 1.0 section 3, listing
    only endpoints and capabilities that exist: no
    implicit or hybrid response types, no request objects yet.

    `request_uri_parameter_supported` is written out because its default is true (Discovery
    section 3). `resource_indicators_supported` says /oauth/token takes RFC 8707's
    `resource` as the audience. No registered member says that (RFC 8414 section 2 allows
    others); RFC 9728's `protected_resources` would instead publish every API's identifier to
    anyone."""
    return {
        "issuer": settings.ISSUER,
        "authorization_endpoint": settings.AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.USERINFO_ENDPOINT,
        "jwks_uri": settings.JWKS_URI,
        "end_session_endpoint": settings.END_SESSION_ENDPOINT,
        # RFC 8414 section 2 (RFC 7009): refresh tokens and /userinfo tokens can be revoked.
        "revocation_endpoint": settings.REVOCATION_ENDPOINT,
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "claims_supported": CLAIMS_SUPPORTED,
        "code_challenge_methods_supported": ["S256", "plain"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
        "resource_indicators_supported": True,
    }


@login_not_required
@public_document
def openid_configuration(request: HttpRequest) -> JsonResponse:
    """The provider metadata, at /.well-known/openid-configuration (OpenID Connect Discovery
    1.0 section 4) and /.well-known/oauth-authorization-server (RFC 8414 section 3): the same
    document, whose `issuer` is the issuer both paths are derived from."""
    response = JsonResponse(_metadata())
    response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    return response
