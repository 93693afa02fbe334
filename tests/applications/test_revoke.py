"""POST /oauth/revoke (RFC 7009; AUTH0_USER_FLOWS.md section 4.5): every row of the contract,
form, JSON and HTTP Basic, exact statuses, headers and bodies, the revoked token then refused
at /oauth/token, and the log lines (a reason and a family id, never a token)."""

import json
import logging
from urllib.parse import urlencode

import pytest

from applications import clients
from applications.models import AppType, OpaqueAccessToken, RefreshTokenFamily
from tests.applications.conftest import rotating
from tests.conftest import Client, basic_header

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
UNAUTHORIZED = {"error": "access_denied", "error_description": "Unauthorized"}
FOREIGN = {
    "error": "unauthorized_client",
    "error_description": "The token was not issued to this client.",
}


@pytest.fixture
def post_revoke(client):
    """POST /oauth/revoke, form-encoded (or JSON with as_json=True)."""

    def post(params, *, as_json: bool = False, authorization: str | None = None, **headers):
        if authorization is not None:
            headers["Authorization"] = authorization
        if as_json:
            body, content_type = json.dumps(params), "application/json"
        else:
            body, content_type = urlencode(params), "application/x-www-form-urlencoded"
        return client.post("/oauth/revoke", body, content_type=content_type, headers=headers)

    return post


def assert_revoked_ok(response) -> None:
    """RFC 7009 section 2.2: 200, an empty body, nothing cacheable."""
    assert response.status_code == 200, response.content
    assert response.content == b""
    assert "Content-Type" not in response
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def credentials(client: Client) -> dict:
    params = {"client_id": client.client_id}
    if client.application.token_endpoint_auth_method != "none":
        params["client_secret"] = client.secret
    return params


# --- success: the family is revoked, and only it ------------------------------------------


@pytest.mark.parametrize("form", ["form", "json", "basic"])
def test_revoking_a_refresh_token_revokes_it(refresher, post_revoke, web_app, form):
    token = refresher.start(web_app)["refresh_token"]

    if form == "basic":
        response = post_revoke(
            {"token": token}, authorization=basic_header(web_app.client_id, web_app.secret)
        )
    else:
        response = post_revoke({**credentials(web_app), "token": token}, as_json=form == "json")

    assert_revoked_ok(response)
    family = RefreshTokenFamily.objects.get()
    assert family.revoked_at is not None and family.revoked_reason == "client_revoked"
    refused = refresher.refresh(web_app, token)
    assert error(refused, 403) == INVALID


def test_token_type_hint_is_accepted_and_ignored(refresher, post_revoke, web_app):
    token = refresher.start(web_app)["refresh_token"]

    # A wrong hint too: section 2.1 lets the server search every type.
    response = post_revoke(
        {**credentials(web_app), "token": token, "token_type_hint": "access_token"}
    )

    assert_revoked_ok(response)
    assert error(refresher.refresh(web_app, token), 403) == INVALID


def test_a_public_client_revokes_with_its_client_id_only(refresher, post_revoke, spa):
    rotating(spa.application, leeway=10)
    token = refresher.start(spa)["refresh_token"]

    assert_revoked_ok(post_revoke({"client_id": spa.client_id, "token": token}, as_json=True))
    assert error(refresher.refresh(spa, token), 403) == INVALID


def test_revoking_any_token_of_a_rotating_family_revokes_the_family(
    refresher, post_revoke, web_app
):
    rotating(web_app.application)
    first = refresher.start(web_app)["refresh_token"]
    second = refresher.refresh(web_app, first).json()["refresh_token"]
    third = refresher.refresh(web_app, second).json()["refresh_token"]

    # The spent first token names the family: the newest one dies with it.
    assert_revoked_ok(post_revoke({**credentials(web_app), "token": first}))

    assert error(refresher.refresh(web_app, third), 403) == INVALID
    assert RefreshTokenFamily.objects.get().revoked_reason == "client_revoked"


def test_other_families_of_the_same_user_and_client_live_on(refresher, post_revoke, web_app):
    one_tab = refresher.start(web_app)["refresh_token"]
    other_tab = refresher.start(web_app)["refresh_token"]

    assert_revoked_ok(post_revoke({**credentials(web_app), "token": one_tab}))

    assert refresher.refresh(web_app, other_tab).status_code == 200


@pytest.mark.parametrize(
    "token", ["unknown", "x" * 43, "a.b.c", "é" * 10, "x" * 513, " ", "%00", "null"]
)
def test_unknown_tokens_are_200_and_nothing(refresher, post_revoke, web_app, token):
    live = refresher.start(web_app)["refresh_token"]

    assert_revoked_ok(post_revoke({**credentials(web_app), "token": token}))
    assert refresher.refresh(web_app, live).status_code == 200


def test_revoking_twice_is_200_both_times(refresher, post_revoke, web_app):
    token = refresher.start(web_app)["refresh_token"]
    params = {**credentials(web_app), "token": token}

    assert_revoked_ok(post_revoke(params))
    revoked_at = RefreshTokenFamily.objects.get().revoked_at
    assert_revoked_ok(post_revoke(params))

    family = RefreshTokenFamily.objects.get()
    assert family.revoked_at == revoked_at and family.revoked_reason == "client_revoked"


def test_a_jwt_access_token_is_200_and_stays_valid(refresher, post_revoke, web_app, client):
    """JWTs cannot be recalled: resource servers verify them offline until they expire."""
    body = refresher.start(web_app)

    assert_revoked_ok(post_revoke({**credentials(web_app), "token": body["access_token"]}))
    # The refresh token of the same response is untouched.
    assert refresher.refresh(web_app, body["refresh_token"]).status_code == 200


def test_an_opaque_userinfo_token_is_revoked(refresher, post_revoke, web_app, client):
    body = refresher.start(web_app, scopes=["openid", "profile"], audience="")
    access = body["access_token"]
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {access}"}).status_code == 200

    assert_revoked_ok(post_revoke({**credentials(web_app), "token": access}))

    assert OpaqueAccessToken.objects.count() == 0
    response = client.get("/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401


# --- refusals ----------------------------------------------------------------------------


@pytest.fixture
def other_web_app(tenant) -> Client:
    application, secret = clients.create_application(name="Other", app_type=AppType.REGULAR_WEB)
    return Client(application, secret)


def test_another_clients_refresh_token_is_refused_and_not_revoked(
    refresher, post_revoke, web_app, other_web_app, caplog
):
    token = refresher.start(web_app)["refresh_token"]

    with caplog.at_level(logging.INFO):
        response = post_revoke({**credentials(other_web_app), "token": token}, as_json=True)

    assert error(response, 403) == FOREIGN
    assert RefreshTokenFamily.objects.get().revoked_at is None
    assert refresher.refresh(web_app, token).status_code == 200
    assert token not in caplog.text
    family = RefreshTokenFamily.objects.get()
    assert f"family {family.pk}" in caplog.text and other_web_app.client_id in caplog.text


def test_another_clients_userinfo_token_is_refused_and_kept(
    refresher, post_revoke, web_app, other_web_app
):
    access = refresher.start(web_app, scopes=["openid"], audience="")["access_token"]

    response = post_revoke({**credentials(other_web_app), "token": access})

    assert error(response, 403) == FOREIGN
    assert OpaqueAccessToken.objects.count() == 1


@pytest.mark.parametrize("secret", ["wrong", "", None])
def test_a_confidential_client_needs_its_secret(refresher, post_revoke, web_app, secret):
    token = refresher.start(web_app)["refresh_token"]
    params = {"client_id": web_app.client_id, "token": token}
    if secret is not None:
        params["client_secret"] = secret

    assert error(post_revoke(params), 401) == UNAUTHORIZED
    assert RefreshTokenFamily.objects.get().revoked_at is None


def test_a_wrong_basic_secret_gets_a_basic_challenge(refresher, post_revoke, web_app):
    token = refresher.start(web_app)["refresh_token"]

    response = post_revoke({"token": token}, authorization=basic_header(web_app.client_id, "no"))

    assert error(response, 401) == UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Basic realm="gatehouse", charset="UTF-8"'
    assert RefreshTokenFamily.objects.get().revoked_at is None


def test_an_unknown_client_is_unauthorized(post_revoke, tenant):
    assert error(post_revoke({"client_id": "nobody", "token": "t"}), 401) == UNAUTHORIZED


@pytest.mark.parametrize("token", [None, ""])
def test_missing_token(post_revoke, web_app, token):
    params = credentials(web_app)
    if token is not None:
        params["token"] = token

    assert error(post_revoke(params), 400) == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: token",
    }


def test_missing_client_id(post_revoke, tenant):
    assert error(post_revoke({"token": "t"}), 400) == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: client_id",
    }


def test_other_content_types_are_refused(client, web_app):
    response = client.post("/oauth/revoke", "token=x", content_type="text/plain")

    assert error(response, 400)["error"] == "invalid_request"


def test_a_repeated_token_is_refused(client, web_app):
    body = urlencode([("client_id", web_app.client_id), ("token", "a"), ("token", "b")])
    response = client.post("/oauth/revoke", body, content_type="application/x-www-form-urlencoded")

    assert error(response, 400) == {
        "error": "invalid_request",
        "error_description": "Parameter 'token' must not be repeated.",
    }


def test_get_is_405(client, tenant):
    response = client.get("/oauth/revoke")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_an_oversized_body_is_413(client, tenant):
    response = client.post(
        "/oauth/revoke", "token=" + "x" * 20000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413


# --- logs --------------------------------------------------------------------------------


def test_the_log_names_the_reason_family_and_client_never_the_token(
    refresher, post_revoke, web_app, caplog
):
    token = refresher.start(web_app)["refresh_token"]

    with caplog.at_level(logging.INFO):
        assert_revoked_ok(post_revoke({**credentials(web_app), "token": token}))
        post_revoke({**credentials(web_app), "token": token})

    family = RefreshTokenFamily.objects.get()
    assert (
        f"refresh token family {family.pk} of client {web_app.client_id} revoked: client_revoked"
        in caplog.text
    )
    assert f"family {family.pk} already revoked" in caplog.text
    assert token not in caplog.text
    assert web_app.secret not in caplog.text


# --- CORS (applications/cors_origins.py, the same rule as /oauth/token) ------------------

SPA_ORIGIN = "https://spa.example"


def test_cors_preflight_and_answer_for_the_spa_origin(client, refresher, post_revoke, spa):
    rotating(spa.application, leeway=10)
    spa.application.callbacks = ["https://spa.example/"]
    spa.application.save()
    token = refresher.start(spa)["refresh_token"]

    preflight = client.options(
        "/oauth/revoke",
        headers={"Origin": SPA_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    response = post_revoke({"client_id": spa.client_id, "token": token}, Origin=SPA_ORIGIN)
    foreign = post_revoke(
        {"client_id": spa.client_id, "token": token}, Origin="https://evil.example"
    )

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert preflight["Access-Control-Allow-Methods"] == "POST"
    assert_revoked_ok(response)
    assert response["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response
    assert "Access-Control-Allow-Origin" not in foreign
