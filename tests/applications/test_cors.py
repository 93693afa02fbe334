"""CORS on /oauth/token and /userinfo for single-page applications (AUTH0_USER_FLOWS.md
section 0, row 13; applications/cors_origins.py): preflights with exact headers, the actual
answer readable only by the client's own registered origins, never `*`, never credentials,
and no extra query for servers that send no Origin."""

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apis import resource_servers
from tests.applications.conftest import CALLBACK, SPA_CALLBACK, VERIFIER

# The response headers a script may read: the bearer challenge and the rate-limit headers.
EXPOSED_HEADERS = (
    "WWW-Authenticate, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)

SPA_ORIGIN = "https://spa.example"  # SPA_CALLBACK's origin
EXTRA_ORIGIN = "https://admin.spa.example"
WEB_ORIGIN = "https://app.example"
STRANGER = "https://evil.example"
CORS_RESPONSE_HEADERS = {
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Credentials",
}
FORM = "application/x-www-form-urlencoded"
PATHS = [("/oauth/token", "POST"), ("/userinfo", "GET, POST")]


@pytest.fixture
def spa_origins(spa):
    """The SPA's Allowed Origins and a callback: its CORS origins are both."""
    spa.application.callbacks = [SPA_CALLBACK]
    spa.application.allowed_origins = [EXTRA_ORIGIN]
    spa.application.save()
    return spa


@pytest.fixture
def web_origins(web_app):
    web_app.application.callbacks = [CALLBACK]
    web_app.application.save()
    return web_app


def cors_headers(response) -> dict[str, str]:
    return {name: response[name] for name in CORS_RESPONSE_HEADERS if name in response}


def preflight(client, path: str, origin: str | None, **headers: str):
    extra = {"Access-Control-Request-Method": "POST", **headers}
    if origin is not None:
        extra["Origin"] = origin
    return client.options(path, headers=extra)


# --- preflight -----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "methods"), PATHS)
@pytest.mark.parametrize("origin", [SPA_ORIGIN, EXTRA_ORIGIN])
def test_preflight_for_a_registered_origin(client, spa_origins, path, methods, origin):
    response = preflight(
        client, path, origin, **{"Access-Control-Request-Headers": "auth0-client,content-type"}
    )

    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert response["Allow"] == f"{methods}, OPTIONS"
    assert response["Vary"] == "Origin"
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "authorization, content-type, auth0-client",
        "Access-Control-Max-Age": "7200",
    }


@pytest.mark.parametrize(("path", "methods"), PATHS)
@pytest.mark.parametrize(
    "origin",
    [
        STRANGER,
        "null",  # sandboxed iframes, file: pages, some redirects
        "https://spa.example.evil.example",
        "https://evilspa.example",
        "http://spa.example",  # another scheme
        "https://spa.example:8443",  # another port
        "https://spa.example/",  # not an origin: a browser never sends a path
        "https://spa.example/callback",
        "https://user@spa.example",
        "https://spa.example ",
        "*",
        "",
        "https://" + "a" * 3000 + ".example",
        "https://spä.example",
    ],
)
def test_preflight_for_any_other_origin_has_no_cors_headers(
    client, spa_origins, path, methods, origin
):
    response = preflight(client, path, origin)

    assert response.status_code == 204
    assert response["Allow"] == f"{methods}, OPTIONS"
    assert response["Vary"] == "Origin"
    assert cors_headers(response) == {}


@pytest.mark.parametrize(("path", "methods"), PATHS)
def test_plain_options_without_origin(client, spa_origins, path, methods):
    response = client.options(path)

    assert response.status_code == 204
    assert response["Allow"] == f"{methods}, OPTIONS"
    assert cors_headers(response) == {}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://eu.tenant.example", True),
        ("https://us-1.tenant.example", True),
        ("https://tenant.example", False),  # the wildcard stands for exactly one label
        ("https://a.b.tenant.example", False),
        ("https://eu.tenant.example.evil.example", False),
        ("http://eu.tenant.example", False),
    ],
)
def test_wildcard_allowed_origin(client, spa, origin, allowed):
    spa.application.allowed_origins = ["https://*.tenant.example"]
    spa.application.save()

    response = preflight(client, "/oauth/token", origin)

    assert ("Access-Control-Allow-Origin" in response) is allowed
    if allowed:
        assert response["Access-Control-Allow-Origin"] == origin


def test_web_origins_alone_do_not_allow_cors(client, spa):
    # Allowed Web Origins say where web_message may post, not who calls the token endpoint.
    spa.application.web_origins = [SPA_ORIGIN]
    spa.application.save()

    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token", SPA_ORIGIN)


# --- /oauth/token --------------------------------------------------------------------------


def code_request(spa, code: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": spa.client_id,
        "code": code,
        "code_verifier": VERIFIER,
        "redirect_uri": SPA_CALLBACK,
    }


def post_from(client, origin: str | None, body: dict | str, *, as_json: bool = False):
    headers = {"Auth0-Client": "eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0="}
    if origin is not None:
        headers["Origin"] = origin
    if as_json:
        return client.post(
            "/oauth/token",
            body if isinstance(body, str) else json.dumps(body),
            content_type="application/json",
            headers=headers,
        )
    return client.post("/oauth/token", urlencode(body), content_type=FORM, headers=headers)


@pytest.mark.parametrize("origin", [SPA_ORIGIN, EXTRA_ORIGIN])
def test_code_exchange_from_the_spa_origin(client, spa_origins, make_code, origin):
    code = make_code.issue_pkce(spa_origins.application)

    response = post_from(client, origin, code_request(spa_origins, code))

    assert response.status_code == 200, response.content
    assert response["Vary"] == "Origin"
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    }


def test_a_refusal_for_the_client_is_readable_by_its_origin(client, spa_origins):
    # auth0-spa-js reads `error` (invalid_grant) to decide what to do next.
    response = post_from(client, SPA_ORIGIN, code_request(spa_origins, "not-a-code"))

    assert response.status_code == 403
    assert response.json()["error"] == "invalid_grant"
    assert response["Access-Control-Allow-Origin"] == SPA_ORIGIN


def test_another_clients_origin_cannot_read_the_answer(client, spa_origins, web_origins, make_code):
    code = make_code.issue_pkce(spa_origins.application)

    # The web app's origin passes the preflight (it is registered), not the actual request.
    assert preflight(client, "/oauth/token", WEB_ORIGIN)["Access-Control-Allow-Origin"] == (
        WEB_ORIGIN
    )
    response = post_from(client, WEB_ORIGIN, code_request(spa_origins, code))

    assert response.status_code == 200  # the server cannot stop the request; the browser
    assert response["Vary"] == "Origin"  # withholds the answer from the script
    assert cors_headers(response) == {}


def test_unknown_client_id_is_as_foreign_as_another_clients(client, spa_origins):
    response = post_from(
        client, SPA_ORIGIN, {**code_request(spa_origins, "x"), "client_id": "nope"}
    )

    assert response.status_code == 401
    assert cors_headers(response) == {}


@pytest.mark.parametrize("origin", [STRANGER, "null"])
def test_unregistered_origin_never_reads_the_answer(client, spa_origins, make_code, origin):
    code = make_code.issue_pkce(spa_origins.application)

    response = post_from(client, origin, code_request(spa_origins, code))

    assert response.status_code == 200
    assert cors_headers(response) == {}


def test_a_body_naming_no_client_is_readable_by_registered_origins_only(client, spa_origins):
    registered = post_from(client, SPA_ORIGIN, "{not json", as_json=True)
    stranger = post_from(client, STRANGER, "{not json", as_json=True)

    assert registered.status_code == stranger.status_code == 400
    assert registered["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert cors_headers(stranger) == {}


def test_json_body_from_the_spa(client, spa_origins, make_code):
    code = make_code.issue_pkce(spa_origins.application)

    response = post_from(client, SPA_ORIGIN, code_request(spa_origins, code), as_json=True)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA_ORIGIN


def test_no_origin_no_cors_and_no_origin_query(client, granted_client):
    body = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
        "audience": "https://orders.example/api",
    }
    post_from(client, None, body)  # warms the signing-key cache
    with CaptureQueriesContext(connection) as server:
        response = post_from(client, None, body)
    assert response.status_code == 200, response.content
    assert response["Vary"] == "Origin"
    assert cors_headers(response) == {}
    # Server-to-server requests pay nothing for CORS: no query reads the origins.
    assert not [q for q in server.captured_queries if "allowed_origins" in q["sql"]]

    with CaptureQueriesContext(connection) as browser:
        post_from(client, STRANGER, body)
    assert len(browser.captured_queries) == len(server.captured_queries) + 1


# --- /userinfo -----------------------------------------------------------------------------


def issue_tokens(client, web_app, code: str) -> dict:
    body = {
        "grant_type": "authorization_code",
        "client_id": web_app.client_id,
        "client_secret": web_app.secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    response = client.post("/oauth/token", urlencode(body), content_type=FORM)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("audience", "dialect"),
    [
        ("", "access_token"),  # an opaque token
        ("https://orders.example/api", "access_token"),  # a JWT naming its client in azp
        ("https://orders.example/api", "rfc9068_profile"),  # in client_id (RFC 9068 2.2)
    ],
)
def test_userinfo_readable_by_the_tokens_client(
    client, web_origins, spa_origins, make_code, orders_api, audience, dialect
):
    resource_servers.update_api(orders_api, token_dialect=dialect)
    code = make_code.issue(web_origins.application, audience=audience)
    token = issue_tokens(client, web_origins, code)["access_token"]

    own = client.get(
        "/userinfo", headers={"Authorization": f"Bearer {token}", "Origin": WEB_ORIGIN}
    )
    other = client.get(
        "/userinfo", headers={"Authorization": f"Bearer {token}", "Origin": SPA_ORIGIN}
    )

    assert own.status_code == other.status_code == 200
    assert cors_headers(own) == {
        "Access-Control-Allow-Origin": WEB_ORIGIN,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    }
    assert own["Vary"] == "Origin"
    assert cors_headers(other) == {}


def test_userinfo_post_form_from_the_origin(client, web_origins, make_code):
    token = issue_tokens(client, web_origins, make_code.issue(web_origins.application))[
        "access_token"
    ]

    response = client.post(
        "/userinfo",
        urlencode({"access_token": token}),
        content_type=FORM,
        headers={"Origin": WEB_ORIGIN},
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == WEB_ORIGIN


def test_userinfo_refusal_is_readable_with_its_challenge(client, spa_origins):
    # A token that is not Gatehouse's names no client: any registered origin may read the
    # 401 and its WWW-Authenticate (exposed), so the SPA knows to sign in again.
    registered = client.get(
        "/userinfo", headers={"Authorization": "Bearer junk", "Origin": SPA_ORIGIN}
    )
    stranger = client.get("/userinfo", headers={"Authorization": "Bearer junk", "Origin": STRANGER})

    assert registered.status_code == stranger.status_code == 401
    assert registered["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert registered["Access-Control-Expose-Headers"] == EXPOSED_HEADERS
    assert cors_headers(stranger) == {}


def test_no_credentials_mode_ever(client, spa_origins, make_code):
    code = make_code.issue_pkce(spa_origins.application)
    responses = [
        preflight(client, "/oauth/token", SPA_ORIGIN),
        post_from(client, SPA_ORIGIN, code_request(spa_origins, code)),
        client.get("/userinfo", headers={"Origin": SPA_ORIGIN}),
    ]

    for response in responses:
        assert "Access-Control-Allow-Credentials" not in response
        assert response["Access-Control-Allow-Origin"] == SPA_ORIGIN  # echoed, never *
