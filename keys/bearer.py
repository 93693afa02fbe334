"""Who may call the Management API v2: bearer tokens and scopes, deny by default.

The only part of the Management API that needs keys. Every authenticated endpoint is built
with `route()`, which refuses to build one without declared scopes for each method, answers
wrong methods with 405, authenticates the bearer token through keys.signing.verify (RS256 only,
known non-revoked kid, exact iss/aud/exp; RFC 6750 section 2.1), counts the request against
the token's rate limit (config/rate_limits.py: 429 past it, X-RateLimit-* headers on every
answer once the token is verified), checks the scope (RFC 6750 section 3.1:
insufficient_scope is a 403), and turns every failure into Auth0's error body.
Each route's scopes are written once, here; the OpenAPI document reads them from the route.
"""

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from config import actor, rate_limits
from config.api import ApiError, guarded, method_not_allowed
from config.outages import is_unavailable
from keys import signing
from logs import audit, events, types

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
Handler = Callable[..., HttpResponse]

# RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


@dataclass(frozen=True)
class Scopes:
    """What a method needs: every scope in `names`, or with `any_one` just one of them.
    Built with `needs()` or `needs_any()`."""

    names: tuple[str, ...]
    any_one: bool = False

    def satisfied_by(self, granted: set[str]) -> bool:
        if self.any_one:
            return not granted.isdisjoint(self.names)
        return set(self.names) <= granted

    def message(self) -> str:
        # Auth0's texts: alternatives are comma-joined; several required scopes are listed.
        if self.any_one or len(self.names) == 1:
            return f"Insufficient scope, expected any of: {','.join(self.names)}"
        return f"Insufficient scope, expected all of: {', '.join(self.names)}"


def _declared(scopes: tuple[str, ...]) -> tuple[str, ...]:
    if not scopes or not all(isinstance(s, str) and s for s in scopes):
        raise TypeError("an endpoint must declare at least one scope")
    return scopes


def needs(*scopes: str) -> Scopes:
    """Every one of these scopes is required (TypeError when none is given)."""
    return Scopes(_declared(scopes))


def needs_any(*scopes: str) -> Scopes:
    """Any one of these scopes will do (Auth0's client reads: read:clients and its kin)."""
    return Scopes(_declared(scopes), any_one=True)


def _unauthorized(message: str, challenge: str) -> ApiError:
    attributes = {"error": message} if message == "Invalid token" else None
    return ApiError(401, message, attributes=attributes, headers={"WWW-Authenticate": challenge})


def _verified_token(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """The bearer token of `request` and its verified claims, or a 401 ApiError (see
    `authenticate`)."""
    realm = f'Bearer realm="{settings.MANAGEMENT_API_IDENTIFIER}"'
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip(" \t").partition(" ")
    if scheme.lower() != "bearer":
        raise _unauthorized("Missing authentication", realm)
    token = token.lstrip(" ")
    try:
        if not _B64TOKEN.fullmatch(token):
            raise signing.InvalidToken("the credentials are not an RFC 6750 b64token")
        claims = signing.verify(token, audience=settings.MANAGEMENT_API_IDENTIFIER)
    except signing.InvalidToken as error:
        logger.info("management API token refused: %s", error)
        raise _unauthorized(
            "Invalid token", f'{realm}, error="invalid_token", error_description="Invalid token"'
        ) from error
    return token, claims


def _scopes(claims: dict[str, Any]) -> set[str]:
    scope = claims.get("scope")
    return set(scope.split(" ")) - {""} if isinstance(scope, str) else set()


def authenticate(request: HttpRequest) -> set[str]:
    """The scopes of a valid Management API bearer token, or a 401 ApiError.

    RFC 6750 section 2.1: `Bearer 1*SP b64token`, inside the field value's optional SP/HTAB
    (RFC 9110 section 5.5), the scheme in any case. Only those characters are whitespace: a
    header whose scheme is not exactly Bearer (say "Bearer" and U+00A0) carries no bearer
    token ("Missing authentication"); a token with anything around it but spaces (U+00A0,
    U+3000, ...) is no b64token ("Invalid token"). The scope claim is split on U+0020 only
    (RFC 6749 section 3.3)."""
    return _scopes(_verified_token(request)[1])


# AUTH0_COMPAT.md section 3: the Management API's 429 text.
TOO_MANY_REQUESTS = (
    "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and "
    "X-RateLimit-Reset headers."
)
# Where `_call` leaves the request's rate-limit usage for the view's headers.
_USAGE = "_gatehouse_rate_limit_usage"


def _count(request: HttpRequest, token: str, claims: dict[str, Any]) -> None:
    """Counts the request against its token's limit (the token is the key: config/rate_limits
    keeps only a digest of it); 429 with Auth0's body past it, recorded as api_limit."""
    usage = rate_limits.hit((rate_limits.MANAGEMENT_API_PER_TOKEN, token))
    setattr(request, _USAGE, usage)
    if usage is not None and usage.exceeded:
        client_id = claims.get("azp")
        events.enqueue(
            types.RATE_LIMIT,
            description=f"Rate limit exceeded on the Management API ({request.method})",
            client_id=client_id[:64] if isinstance(client_id, str) else "",
            **events.request_fields(request),
        )
        raise ApiError(429, TOO_MANY_REQUESTS, "too_many_requests")


def route(**handlers: tuple[Handler, Scopes]) -> View:
    """One URL's view: `route(GET=(list_things, needs("read:things")), POST=...)`.

    Order of checks: method (405), token (401), the token's rate limit (429, with Auth0's
    X-RateLimit-* headers on every answer from here on), scope (403), then the handler,
    which raises ApiError for everything else. A handler cannot be registered without its Scopes
    (TypeError). The view's `scopes_by_method` ({"GET": Scopes, ...}) is what the OpenAPI
    document publishes as each operation's `x-required-scopes`.
    """
    if not handlers:
        raise TypeError("a route needs at least one method")
    for method, (handler, scopes) in handlers.items():
        if not callable(handler) or not isinstance(scopes, Scopes):
            raise TypeError(f"{method}: expected (handler, needs(...))")
    # RFC 9110 section 9.3.2: HEAD is GET without the content (the server drops the body),
    # with GET's scopes. OPTIONS is refused: no CORS for the Management API (README).
    methods = {**handlers, "HEAD": handlers["GET"]} if "GET" in handlers else dict(handlers)
    allowed = ", ".join(sorted(methods))

    @csrf_exempt  # bearer tokens, not cookies: no CSRF exposure
    @login_not_required  # authenticated here, with Auth0's 401 shape
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        entry = methods.get(request.method or "")
        if entry is None:
            return method_not_allowed(allowed)
        handler, scopes = entry
        response = guarded(lambda: _call(request, handler, scopes, kwargs))
        try:
            _record_refusal(request, response)
        except Exception as error:
            if is_unavailable(error):
                raise  # the database went away: 503, as for any other write
            # The refusal stands; failing to log it must not turn a 4xx into a 500.
            logger.exception("could not record a refused Management API call")
        # Every answer to an authenticated request carries its token's X-RateLimit-* headers.
        for name, value in rate_limits.headers(getattr(request, _USAGE, None)).items():
            response[name] = value
        return response

    view.scopes_by_method = {method: scopes for method, (_, scopes) in handlers.items()}  # type: ignore[attr-defined]
    return view


def require(request: HttpRequest, scopes: Scopes) -> None:
    """The 403 insufficient_scope unless the request's token has `scopes`; for a handler
    whose body asks for more than its route (PATCH /clients with `rotate_secret` also needs
    update:client_keys, as rotate-secret does). Only inside a route()'s handler."""
    granted: frozenset[str] = getattr(request, "management_scopes", frozenset())
    if not scopes.satisfied_by(set(granted)):
        raise ApiError(
            403,
            scopes.message(),
            "insufficient_scope",
            headers={
                "WWW-Authenticate": f'Bearer error="insufficient_scope", '
                f'scope="{" ".join(scopes.names)}"'
            },
        )


def _call(
    request: HttpRequest, handler: Handler, scopes: Scopes, kwargs: dict[str, Any]
) -> HttpResponse:
    token, claims = _verified_token(request)
    _count(request, token, claims)
    granted = _scopes(claims)
    request.management_scopes = frozenset(granted)  # type: ignore[attr-defined]
    # The change log names the calling application (RFC 9068 `client_id`, or Auth0's `azp`).
    caller = claims.get("azp") or claims.get("client_id") or ""
    actor.identify(name=str(caller), scopes=tuple(sorted(granted)))
    require(request, scopes)
    return handler(request, **kwargs)


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _record_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """One `fapi` log event for a refused write by an authenticated caller (a 4xx after the
    token was verified: 403 scope, 400 body, 404, 409, 413, ...). Unauthenticated calls (401)
    are not logged: there is no verified caller to name, and anyone on the network could
    fill the log with them. Reads are never logged (Auth0's sapi/fapi cover POST, PUT, PATCH
    and DELETE only)."""
    if request.method not in WRITES or not 400 <= response.status_code < 500:
        return
    if not hasattr(request, "management_scopes"):
        return
    try:
        error = json.loads(response.content)
    except ValueError:
        error = {}
    try:
        body = request.body
    except Exception:  # RequestDataTooBig: the body was never read, nothing of it is logged
        body = b""
    # A savepoint: should the event not be written, the caller's transaction stays usable.
    with transaction.atomic():
        audit.refused(
            response.status_code,
            str(error.get("message", "")),
            str(error.get("errorCode", "")),
            body,
        )
