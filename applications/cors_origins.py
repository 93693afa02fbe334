"""Which browser origins may read the answers of /oauth/token, /oauth/revoke and /userinfo
(AUTH0_USER_FLOWS.md section 0, row 13; the Fetch standard's CORS protocol). The HTTP side is
config/cors.py's `registered_origins`; this module decides for it.

An application's CORS origins (Application.cors_origins) are its Allowed Origins plus the
origin of each of its http(s) callbacks. Auth0's Dashboard: "By default, all your callback URLs
will be allowed. This field allows you to enter other origins." Allowed Web Origins are not
among them: they say where a `web_message` response may be posted (section 1.7), not who may
call the token endpoint.

- An answer for a client (the client_id of a token or revocation request, the client a
  /userinfo token was issued to) is readable by that client's origins only. An unknown
  client_id has none, so a foreign origin cannot tell known client ids from unknown ones.
- A preflight carries no body, so it cannot name a client: it succeeds for an origin that
  any application registered. That only lets the browser send the request; the answer is
  checked again for its client. The same rule covers an answer that names no client (a body
  that could not be read, a bearer token that is not Gatehouse's): an error, nothing more.
- `null` (sandboxed frames, file: pages) and anything that is not a plain http(s) origin
  never match: redirect_uris.origin_allowed parses strictly, wildcards one label deep.

Origins are read through the grant cache (applications/grant_cache.py): a connection keeps
them until any application changes, so a preflight does not scan the applications table and
an actual request with an Origin costs no query once its client was read. Requests without an
Origin header (servers) never get here.
"""

from collections.abc import Callable

from django.http import HttpRequest

from applications import grant_cache, redirect_uris
from applications.models import Application
from config import cors

# Longer than any client_id Gatehouse issues or accepts (Application.client_id: 32).
_MAX_CLIENT_ID = 64


def _origins_of_client(client_id: str) -> tuple[str, ...] | None:
    application = (
        Application.objects.filter(client_id=client_id).only("allowed_origins", "callbacks").first()
    )
    return None if application is None else tuple(application.cors_origins)


def _origins_of_every_client() -> tuple[str, ...]:
    origins: dict[str, None] = {}
    for application in Application.objects.only("allowed_origins", "callbacks"):
        origins.update(dict.fromkeys(application.cors_origins))
    return tuple(origins)


def allowed(client_id: str | None, origin: str) -> bool:
    """Whether a script at `origin` (an Origin header's value) may read an answer for the
    client `client_id`, or, when None, an answer for no client in particular."""
    if redirect_uris.origin_of(origin) != origin.lower():
        return False  # not a plain origin; `null` included
    if client_id is None:
        origins = grant_cache.cached(("cors", "any", ""), _origins_of_every_client)
    elif len(client_id) > _MAX_CLIENT_ID or "\x00" in client_id:
        return False  # no such client; PostgreSQL refuses NUL in a query parameter
    else:
        origins = grant_cache.cached(
            ("cors", "client", client_id), lambda: _origins_of_client(client_id)
        )
    return origins is not None and redirect_uris.origin_allowed(origins, origin)


def browser_endpoint(*methods: str) -> Callable[[cors.View], cors.View]:
    """config.cors.registered_origins for these origins: decorate /oauth/token,
    /oauth/revoke, /userinfo, and call `answer_for` in the view once the client is known."""
    return cors.registered_origins(methods=methods, origin_allowed=allowed)


def answer_for(request: HttpRequest, client_id: str | None) -> None:
    """The answer to `request` is for `client_id`'s origins (config.cors.answer_for)."""
    cors.answer_for(request, client_id)
