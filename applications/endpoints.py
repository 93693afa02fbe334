"""The public protocol endpoint of the applications app (RFC 6749 section 3): the token
endpoint. It adapts HTTP; the exchange is decided in applications/oauth.py.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from applications import oauth, token_request
from keys import signing, vault

logger = logging.getLogger(__name__)


def _token_json(body: dict[str, str], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # RFC 6749 section 5.1: token responses must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise oauth.invalid_request("Content-Length is not a number.") from error
    if declared > token_request.MAX_BODY_BYTES:
        raise oauth.OAuthError(
            413,
            "invalid_request",
            f"The request body exceeds {token_request.MAX_BODY_BYTES} bytes.",
        )
    return request.read(token_request.MAX_BODY_BYTES + 1)


@csrf_exempt  # a machine-to-machine endpoint authenticated by client credentials, not cookies
@login_not_required
def token(request: HttpRequest) -> JsonResponse:
    """POST /oauth/token: the client-credentials grant."""
    if request.method != "POST":
        response = _token_json(
            {"error": "invalid_request", "error_description": "Use POST for /oauth/token."},
            405,
        )
        response["Allow"] = "POST"
        return response
    try:
        # The raw Content-Type: Django's parsed one has had Unicode whitespace stripped.
        parsed = token_request.parse(
            request.META.get("CONTENT_TYPE", ""),
            _read_body(request),
            request.headers.get("Authorization"),
        )
        result = oauth.exchange(parsed)
    except (signing.NoSigningKey, vault.UndecryptableSecret):
        # The server is misconfigured (not bootstrapped, or KEY_ENCRYPTION_KEYS lost the key
        # that encrypted the signing keys): say so in the log, and let clients retry later.
        logger.exception(
            "cannot sign tokens: run `manage.py bootstrap` and check KEY_ENCRYPTION_KEYS"
        )
        return _token_json(
            {
                "error": "temporarily_unavailable",
                "error_description": "The authorization server cannot issue tokens right now.",
            },
            503,
        )
    except oauth.OAuthError as error:
        # Log who and why, never the body: it carries the client secret.
        logger.info("token request refused: %s (%s)", error.error, error.status)
        response = _token_json(error.to_dict(), error.status)
        if error.basic_challenge:
            response["WWW-Authenticate"] = 'Basic realm="gatehouse", charset="UTF-8"'
        return response
    return _token_json(result.to_dict(), 200)
