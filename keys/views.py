import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET

from keys import signing

# Verifiers re-fetch at most this often; the next key is published ahead of rotation, so a
# rotation never needs a fresh fetch. Revocation is the one change this delays.
JWKS_MAX_AGE_SECONDS = 300


@login_not_required
@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    body = json.dumps(signing.jwks(), separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # If-None-Match uses the weak comparison (RFC 9110 section 13.1.2) and may list tags.
    candidates = {
        tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))
    }
    if etag in candidates or "*" in candidates:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_GET
def openid_configuration(request: HttpRequest) -> JsonResponse:
    """OAuth 2.0 Authorization Server Metadata (RFC 8414), listing only what exists here.

    `resource_indicators_supported` says /oauth/token takes RFC 8707's `resource` as the
    audience. No registered member says that (RFC 8414 section 2 allows others); RFC 9728's
    `protected_resources` would instead publish every API's identifier to anyone."""
    base = settings.PUBLIC_URL
    response = JsonResponse(
        {
            "issuer": settings.ISSUER,
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "token_endpoint": f"{base}/oauth/token",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "resource_indicators_supported": True,
        }
    )
    response["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
