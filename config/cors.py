"""CORS (Fetch standard, section 3.2 "CORS protocol") for the two kinds of protocol endpoint
a browser script calls:

- `public_document`: the tenant's public documents (JWKS, discovery), readable by any origin,
  as Auth0 serves them: GET and HEAD with `Access-Control-Allow-Origin: *`, a preflight
  answered, every other method a JSON 405.
- `registered_origins`: endpoints a single-page application calls with a credential in the
  request (/oauth/token, /oauth/revoke, /userinfo; AUTH0_USER_FLOWS.md section 0, row 13).
  Only origins someone registered may read their answers, the origin is echoed (never `*`),
  and no cookie is ever involved (no Access-Control-Allow-Credentials). Which origins count
  is the caller's decision, passed in as a function: this module knows no applications.

Domain free (config/ imports no app outside its *urls.py modules).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
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


# --- Endpoints readable by registered origins only -----------------------------------------

# The request headers a preflight may ask for: the client's credentials (RFC 6749 section
# 2.3.1, RFC 6750 section 2.1), a JSON or form body, and the SDK telemetry header every Auth0
# SDK sends (auth0-spa-js: `Auth0-Client`, base64 JSON). Fetch compares them case-insensitively.
REGISTERED_REQUEST_HEADERS = "authorization, content-type, auth0-client"
# RFC 6750 section 3: a script must be able to read why its bearer token was refused; and
# how much of its rate limit is left and when to retry (config/rate_limits.py). None of these
# is a CORS-safelisted response header (Fetch standard, section 2.2.6).
REGISTERED_EXPOSED_HEADERS = (
    "WWW-Authenticate, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)
# Chromium caps this at two hours, Firefox at a day. A cached preflight only lets the browser
# send the request: whether the script may read the answer is decided on every response.
REGISTERED_MAX_AGE_SECONDS = 7200

# Who the answer to a request is for (see `answer_for`): a one-element tuple on the request.
_ANSWER_FOR = "_gatehouse_cors_answer_for"

# origin_allowed(key, origin): whether `origin` may read an answer meant for `key` (say, a
# client id). `key` None: the answer is for nobody in particular (a preflight, which has no
# body to name anyone, or a request so malformed that it names nobody); then any origin
# registered for any key will do.
OriginCheck = Callable[[str | None, str], bool]


def answer_for(request: HttpRequest, key: str | None) -> None:
    """Record whose registered origins may read the answer to `request`: the view calls this
    as soon as it knows (the client_id of a token request, the client a bearer token was
    issued to). Until it does, the answer is for nobody in particular."""
    setattr(request, _ANSWER_FOR, (key,))


def _registered_preflight(
    request: HttpRequest, methods: tuple[str, ...], origin_allowed: OriginCheck
) -> HttpResponse:
    """The answer to OPTIONS. A CORS preflight (Fetch section 4.8) gets the CORS headers only
    for an origin that some registration allows: it carries no body and no credentials, so
    it cannot say which client it is for, and the actual request is checked again."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    response["Allow"] = ", ".join((*methods, "OPTIONS"))
    patch_vary_headers(response, ("Origin",))
    origin = request.META.get("HTTP_ORIGIN")
    if origin and origin_allowed(None, origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = ", ".join(methods)
        response["Access-Control-Allow-Headers"] = REGISTERED_REQUEST_HEADERS
        response["Access-Control-Max-Age"] = str(REGISTERED_MAX_AGE_SECONDS)
    return response


def registered_origins(
    *, methods: tuple[str, ...], origin_allowed: OriginCheck
) -> Callable[[View], View]:
    """Decorate a view that answers `methods` so that scripts on registered origins can call it.

    OPTIONS is answered here (see `_registered_preflight`); every other method reaches the
    view, and its response gets `Access-Control-Allow-Origin: <the Origin sent>` when
    `origin_allowed(key, origin)`, where `key` is what the view passed to `answer_for` (None
    if it did not). Every response varies on Origin (RFC 9110 section 12.5.5), so no cache
    hands one origin's answer to another. Without an Origin header (server to server) nothing
    is looked up. `Access-Control-Allow-Credentials` is never sent: the endpoints read no
    cookies, so a credentialed (cookie-carrying) cross-origin fetch fails in the browser.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return _registered_preflight(request, methods, origin_allowed)
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ("Origin",))
            origin = request.META.get("HTTP_ORIGIN")
            if origin is not None:
                key = getattr(request, _ANSWER_FOR, (None,))[0]
                if origin_allowed(key, origin):
                    response["Access-Control-Allow-Origin"] = origin
                    response["Access-Control-Expose-Headers"] = REGISTERED_EXPOSED_HEADERS
            return response

        return wrapper

    return decorate
