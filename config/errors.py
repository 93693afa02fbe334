"""What every failure looks like, per surface, so no JSON client ever parses an HTML page.

Three surfaces, told apart by path: the Management API (`/api/`, Auth0's error shape), the
protocol endpoints (`/oauth/`, `/.well-known/`, `/userinfo`, RFC 6749 section 5.2's `{error,
error_description}`) and the console (everything else, HTML).

A dependency that cannot be reached (the database is down, restarting, refusing connections)
is a 503 with Retry-After on every surface (RFC 9110 sections 15.6.4 and 10.2.3), not a 500:
the request was fine and the client should simply try again. Two places catch it:
`UnavailableMiddleware.process_exception` for exceptions raised by a view (most of them, and
the only ones Django hands to middleware), and `handler500` for those raised elsewhere, e.g.
by the session and authentication middleware when a console request's session cannot be
read. Neither touches the database or renders with a request (context processors would).

Domain free: config/ imports no app outside its *urls.py modules.
"""

import logging
import sys
from collections.abc import Callable, Mapping

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import csrf, defaults

from config.api import error_response
from config.outages import is_unavailable

logger = logging.getLogger(__name__)

# Seconds a client should wait before retrying after a 503. A database restart or failover
# takes a few seconds; clients with their own backoff may wait longer.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Retry later."

MANAGEMENT_API = "management_api"
PROTOCOL = "protocol"
CONSOLE = "console"


def surface(request: HttpRequest) -> str:
    """Which error shape a request's path gets."""
    path = request.path_info
    if path.startswith("/api/"):
        return MANAGEMENT_API
    if path.startswith(("/oauth/", "/.well-known/")) or path == "/userinfo":
        return PROTOCOL
    return CONSOLE


def protocol_error(
    status: int, error: str, description: str, headers: Mapping[str, str] | None = None
) -> JsonResponse:
    """RFC 6749 section 5.2's error body, never cached (as section 5.1 asks of token
    responses): the token endpoint's own errors look the same."""
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_error(
    request: HttpRequest,
    status: int,
    message: str,
    *,
    error_code: str,
    oauth_error: str,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """`status` in the shape of the request's JSON surface (Auth0's or RFC 6749's)."""
    if surface(request) == MANAGEMENT_API:
        return error_response(status, message, error_code, headers=headers)
    return protocol_error(status, oauth_error, message, headers)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After (RFC 9110 section 15.6.4), in the request's surface's shape:
    RFC 6749's `temporarily_unavailable` on the protocol endpoints, Auth0's error body on the
    Management API, a plain page in the console. Built without the database."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if surface(request) == CONSOLE:
        # No request context: context processors would read the session and the user.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = headers["Retry-After"]
        return console_error(request, response)
    return json_error(
        request,
        503,
        UNAVAILABLE_MESSAGE,
        error_code="temporarily_unavailable",
        oauth_error="temporarily_unavailable",
        headers=headers,
    )


def console_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A console error page (templates/4xx.html, 5xx.html: the message inside <main>). To an
    htmx request it also says `HX-Push-Url: false`: base.html's htmx config swaps the page's
    <main> content into the console like any page, and the address must stay at the page the
    user was on (reloading it is the retry), not become a POST-only action's URL."""
    if request.headers.get("HX-Request") == "true":
        response["HX-Push-Url"] = "false"
    return response


class UnavailableMiddleware:
    """Answers a view's "dependency unreachable" exception with `unavailable()`.

    First in MIDDLEWARE. It costs nothing per request: Django calls `process_exception` only
    when a view raised. One warning line per refused request, without a traceback: during an
    outage there are thousands, and the cause is the same each time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None
        logger.warning("%s %s: dependency unavailable: %s", request.method, request.path, exception)
        return unavailable(request)


# --- Django's error views (config/urls.py names them) ---------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if surface(request) == CONSOLE:
        return console_error(request, defaults.bad_request(request, exception))
    return json_error(
        request, 400, "Bad Request", error_code="bad_request", oauth_error="invalid_request"
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if surface(request) == CONSOLE:
        return console_error(request, defaults.permission_denied(request, exception))
    return json_error(
        request, 403, "Forbidden", error_code="forbidden", oauth_error="access_denied"
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # /api/v2/ answers its own 404s (config.api.unknown_path) with the same body.
    if surface(request) == CONSOLE:
        return console_error(request, defaults.page_not_found(request, exception))
    return json_error(request, 404, "Not Found", error_code="not_found", oauth_error="not_found")


def server_error(request: HttpRequest) -> HttpResponse:
    """Any uncaught exception (DEBUG off). Django calls this inside its `except` block, so
    `sys.exc_info()` is the exception: one raised outside a view (a session read by the
    authentication middleware) that means the database is down is still a 503."""
    if is_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    if surface(request) == CONSOLE:
        return console_error(request, defaults.server_error(request))
    return json_error(
        request, 500, "Internal error.", error_code="internal_error", oauth_error="server_error"
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: JSON on JSON paths, templates/403_csrf.html in the console
    (Django's view renders it)."""
    if surface(request) == CONSOLE:
        return console_error(request, csrf.csrf_failure(request, reason))
    return json_error(
        request, 403, "Forbidden", error_code="forbidden", oauth_error="access_denied"
    )
