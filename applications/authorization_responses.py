"""Authorization responses (RFC 6749 sections 4.1.2 and 4.1.2.1) in each response mode
(AUTH0_USER_FLOWS.md section 1.7): a 302 with the parameters in the callback's query, an
auto-submitting form (OAuth 2.0 Form Post Response Mode), or a page that posts a message to
the callback's origin (Auth0's `web_message`, read by auth0-spa-js).

`state` is added exactly when the client sent one, verbatim (section 1.1). No `iss`
parameter: discovery does not advertise RFC 9207 (section 1.1).
"""

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import HttpResponse
from django.template.loader import render_to_string

from applications import redirect_uris
from applications.authorize import Destination

PAGE_CACHE_CONTROL = "no-store"


def with_parameters(uri: str, parameters: dict[str, str], *, fragment: bool = False) -> str:
    """`uri` with `parameters` appended to its query (after any it has, kept as registered),
    or put in its fragment for fragment-mode errors. Callbacks never carry a fragment
    (redirect_uris refuses them), so there is none to merge."""
    parts = urlsplit(uri)
    encoded = urlencode(parameters)
    if fragment:
        return urlunsplit(parts._replace(fragment=encoded))
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit(parts._replace(query=query))


def _payload(destination: Destination, parameters: dict[str, str]) -> dict[str, str]:
    if destination.state is not None:
        return {**parameters, "state": destination.state}
    return dict(parameters)


def _page(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["Cache-Control"] = PAGE_CACHE_CONTROL
    return response


def respond(destination: Destination, parameters: dict[str, str]) -> HttpResponse:
    """The response carrying `parameters` (a code, or error and error_description) to the
    client in its response mode. Never cached: it holds a code."""
    payload = _payload(destination, parameters)
    if destination.response_mode == "form_post":
        return _page(
            render_to_string(
                "universal_login/form_post.html",
                {"action": destination.redirect_uri, "fields": payload.items()},
            )
        )
    if destination.response_mode == "web_message":
        origin = redirect_uris.origin_of(destination.redirect_uri) or ""
        response = _page(
            render_to_string(
                "universal_login/web_message.html",
                {
                    "origin": origin,
                    "message": {"type": "authorization_response", "response": payload},
                },
            )
        )
        # Loaded in the client's hidden iframe (or a popup): only that origin may frame it.
        response.xframe_options_exempt = True
        response["Content-Security-Policy"] = f"frame-ancestors {origin}"
        return response
    # A plain 302, not HttpResponseRedirect: native apps' custom schemes are valid callbacks,
    # and Django's redirect classes allow only http, https and ftp.
    response = HttpResponse(status=302)
    response["Location"] = with_parameters(
        destination.redirect_uri,
        payload,
        fragment=destination.response_mode == "fragment",
    )
    response["Cache-Control"] = PAGE_CACHE_CONTROL
    return response


def error(destination: Destination, code: str, description: str) -> HttpResponse:
    """RFC 6749 section 4.1.2.1's error response: error, error_description (and state)."""
    return respond(destination, {"error": code, "error_description": description})
