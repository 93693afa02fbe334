"""The tenant's public protocol documents (JWKS, discovery) for any origin, as Auth0 serves
them: GET and HEAD with `Access-Control-Allow-Origin: *`, a CORS preflight answered, every
other method a JSON 405.

Domain free (config/ imports no app outside its *urls.py modules).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from config.errors import protocol_error

View = Callable[..., HttpResponse]

ALLOW = "GET, HEAD, OPTIONS"
# Browsers cap this (Chromium at two hours); the answer never changes between deploys.
PREFLIGHT_MAX_AGE_SECONDS = 86400


def _preflight() -> HttpResponse:
    """The answer to OPTIONS (RFC 9110 section 9.3.7) and to a CORS preflight (Fetch standard,
    section 4.8 "CORS-preflight fetch": an ok status with Access-Control-Allow-Origin, -Methods
    and -Headers; -Max-Age lets the browser cache it). The same for every origin and every
    requested method: a browser refuses a method that is not listed. `*` headers covers every
    request header but Authorization, which these documents never need (no credentials)."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    response["Allow"] = ALLOW
    response["Access-Control-Allow-Methods"] = "GET, HEAD"
    response["Access-Control-Allow-Headers"] = "*"
    response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response


def public_document(view: View) -> View:
    """GET and HEAD (RFC 9110 section 9.3.2: HEAD runs the GET view and the server drops the
    body, so the header fields, ETag and Content-Length included, are GET's), OPTIONS, and a
    JSON 405 with Allow for anything else. Every answer allows any origin.

    No CSRF check: the documents read no cookies, so a PUT is a 405, not a CSRF page.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
        elif request.method == "OPTIONS":
            response = _preflight()
        else:
            response = protocol_error(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed; use GET.",
                {"Allow": ALLOW},
            )
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper
