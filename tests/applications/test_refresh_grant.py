"""POST /oauth/token with grant_type=refresh_token (AUTH0_USER_FLOWS.md sections 4.1 and 4.2):
when a refresh token is issued, the request forms, the response, downscoping, and every
error row of section 4.2, exact bodies."""

import jwt
import pytest

from apis import resource_servers
from apis.resource_servers import ScopeSpec
from applications import clients, refresh_tokens
from applications.models import RefreshToken, RefreshTokenFamily
from keys import signing
from tests.applications.conftest import ORDERS, rotating
from tests.conftest import basic_header

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
UNAUTHORIZED = {"error": "access_denied", "error_description": "Unauthorized"}


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"
    return response.json()


# --- issuance (section 4.1) ----------------------------------------------------------------


def test_code_exchange_issues_a_refresh_token_with_all_three(refresher, web_app):
    body = refresher.start(web_app)

    assert list(body) == [
        "access_token",
        "refresh_token",
        "id_token",
        "scope",
        "expires_in",
        "token_type",
    ]
    assert body["scope"] == "openid profile email offline_access read:orders"
    family = RefreshTokenFamily.objects.get()
    assert family.scopes == ["openid", "profile", "email", "offline_access", "read:orders"]
    assert family.audience == ORDERS and family.generation == 1 and not family.rotating
    # Only the digest is stored.
    stored = RefreshToken.objects.get()
    assert stored.digest == refresh_tokens.token_digest(body["refresh_token"])
    assert body["refresh_token"] not in repr(list(RefreshToken.objects.values()))
    assert body["refresh_token"] not in repr(list(RefreshTokenFamily.objects.values()))


@pytest.mark.parametrize("missing", ["offline_access scope", "allow_offline_access", "grant"])
def test_no_refresh_token_without_each_condition(refresher, web_app, offline_api, missing):
    scopes = ["openid", "profile", "email", "offline_access", "read:orders"]
    if missing == "offline_access scope":
        scopes.remove("offline_access")
    elif missing == "allow_offline_access":
        offline_api.allow_offline_access = False
        offline_api.save()
    else:
        web_app.application.grant_types = "authorization_code client_credentials"
        web_app.application.save()

    body = refresher.start(web_app, scopes)

    assert "refresh_token" not in body
    assert body["scope"] == "openid profile email read:orders"
    assert RefreshTokenFamily.objects.count() == 0


def test_no_refresh_token_without_an_api(refresher, web_app):
    body = refresher.start(web_app, audience="")

    assert "refresh_token" not in body
    assert "offline_access" not in body["scope"].split()


def test_each_code_exchange_starts_its_own_family(refresher, web_app):
    first = refresher.start(web_app)["refresh_token"]
    second = refresher.start(web_app)["refresh_token"]

    assert first != second
    assert RefreshTokenFamily.objects.count() == 2


# --- the refresh request (section 4.2) -----------------------------------------------------


def test_non_rotating_refresh_form_body(client, refresher, web_app, user_session):
    start = refresher.start(web_app)
    first_id_token = jwt.decode(start["id_token"], options={"verify_signature": False})

    body = ok(refresher.refresh(web_app, start["refresh_token"], redirect_uri="https://x.example"))

    # Non-rotating (Auth0's default): no new refresh token.
    assert list(body) == ["access_token", "id_token", "scope", "expires_in", "token_type"]
    assert body["scope"] == "openid profile email offline_access read:orders"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    claims = signing.verify(body["access_token"], audience=ORDERS)
    assert claims["gty"] == "refresh_token"
    assert claims["azp"] == web_app.client_id
    assert claims["sub"] == start_sub(start)
    assert claims["scope"] == "openid profile email offline_access read:orders"
    assert list(claims)[:8] == ["iss", "sub", "aud", "iat", "exp", "scope", "gty", "azp"]
    id_claims = signing.verify(body["id_token"], audience=web_app.client_id)
    assert "nonce" not in id_claims and first_id_token["nonce"]
    assert id_claims["sid"] == first_id_token["sid"] == user_session.id
    assert id_claims["auth_time"] == int(user_session.authenticated_at.timestamp())
    assert id_claims["name"] == "Ada Lovelace"
    # The same token works again.
    ok(refresher.refresh(web_app, start["refresh_token"]))


def start_sub(body: dict) -> str:
    return jwt.decode(body["id_token"], options={"verify_signature": False})["sub"]


def test_refreshed_id_token_has_fresh_profile_claims(refresher, web_app, end_user):
    start = refresher.start(web_app)
    end_user.name = "Ada King"
    end_user.save()

    body = ok(refresher.refresh(web_app, start["refresh_token"]))

    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["name"] == "Ada King"


def test_json_body_with_empty_scope_and_null_redirect_uri(refresher, web_app):
    # auth0-python sends "scope": ""; auth0-spa-js sends redirect_uri.
    start = refresher.start(web_app)

    body = ok(
        refresher.refresh(
            web_app, start["refresh_token"], as_json=True, scope="", redirect_uri=None
        )
    )

    assert body["scope"] == "openid profile email offline_access read:orders"


def test_secret_in_http_basic(refresher, web_app, post_token):
    start = refresher.start(web_app)

    response = post_token(
        {"grant_type": "refresh_token", "refresh_token": start["refresh_token"]},
        authorization=basic_header(web_app.client_id, web_app.secret),
    )

    ok(response)


def test_public_client_authenticates_by_client_id(refresher, spa):
    start = refresher.start(spa)

    body = ok(refresher.refresh(spa, start["refresh_token"]))

    # A SPA made now rotates (refresh_settings.defaults_for).
    assert body["refresh_token"] != start["refresh_token"]


def test_subset_scope_downscopes_the_response_only(refresher, web_app):
    start = refresher.start(web_app)

    body = ok(refresher.refresh(web_app, start["refresh_token"], scope="read:orders openid"))

    assert body["scope"] == "read:orders openid"
    assert signing.verify(body["access_token"], audience=ORDERS)["scope"] == "read:orders openid"
    # The family keeps its scopes.
    again = ok(refresher.refresh(web_app, start["refresh_token"]))
    assert again["scope"] == "openid profile email offline_access read:orders"


def test_downscoped_without_openid_has_no_id_token(refresher, web_app):
    start = refresher.start(web_app)

    body = ok(refresher.refresh(web_app, start["refresh_token"], scope="read:orders"))

    assert "id_token" not in body


def test_superset_scope_is_refused_and_the_token_is_not_spent(refresher, web_app):
    rotating(web_app.application)
    start = refresher.start(web_app)

    response = refresher.refresh(web_app, start["refresh_token"], scope="openid write:orders")

    assert response.status_code == 403
    assert response.json() == {
        "error": "invalid_scope",
        "error_description": "Scopes not granted to the refresh token: write:orders",
    }
    # Not spent: the rotating token still works, without reuse detection.
    ok(refresher.refresh(web_app, start["refresh_token"]))


def test_malformed_scope_is_400(refresher, web_app):
    start = refresher.start(web_app)

    response = refresher.refresh(web_app, start["refresh_token"], scope="openid\u00a0x")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_scope_the_api_deleted_is_no_longer_issued(refresher, web_app, offline_api):
    start = refresher.start(web_app)
    offline_api.scopes.filter(value="read:orders").delete()

    body = ok(refresher.refresh(web_app, start["refresh_token"]))

    assert body["scope"] == "openid profile email offline_access"


# --- errors (section 4.2) ------------------------------------------------------------------


def test_missing_refresh_token_is_invalid_request(refresher, web_app):
    response = refresher.refresh(web_app, ...)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: refresh_token",
    }


def test_missing_client_id_is_invalid_request(post_token):
    response = post_token({"grant_type": "refresh_token", "refresh_token": "x"})

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: client_id",
    }


@pytest.mark.parametrize("token", ["unknown", "x" * 43, "x" * 4000, "\u00e9t\u00e9"])
def test_unknown_token(refresher, web_app, token):
    refresher.start(web_app)

    response = refresher.refresh(web_app, token)

    assert response.status_code == 403
    assert response.json() == INVALID


def test_another_clients_token_is_refused_and_not_revoked(refresher, web_app, tenant):
    from applications import clients
    from applications.models import AppType
    from tests.conftest import Client

    other_app, other_secret = clients.create_application(name="Other", app_type=AppType.REGULAR_WEB)
    other = Client(other_app, other_secret)
    start = refresher.start(web_app)

    response = refresher.refresh(other, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == INVALID
    assert RefreshTokenFamily.objects.get().revoked_at is None
    ok(refresher.refresh(web_app, start["refresh_token"]))


@pytest.mark.parametrize("secret", ["wrong", None])
def test_confidential_client_without_its_secret_is_401(refresher, web_app, secret):
    start = refresher.start(web_app)

    response = refresher.refresh(
        web_app, start["refresh_token"], client_secret=secret if secret else ...
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_unknown_client_is_401(refresher, web_app):
    start = refresher.start(web_app)

    response = refresher.refresh(web_app, start["refresh_token"], client_id="nobody")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_grant_type_not_allowed_is_unauthorized_client(refresher, web_app):
    start = refresher.start(web_app)
    web_app.application.grant_types = "authorization_code"
    web_app.application.save()

    response = refresher.refresh(web_app, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'refresh_token' not allowed for the client.",
        "error_uri": "https://auth0.com/docs/clients/client-grant-types",
    }


def test_revoked_family_is_refused(refresher, web_app):
    start = refresher.start(web_app)
    RefreshTokenFamily.objects.update(revoked_at=RefreshTokenFamily.objects.get().created_at)

    response = refresher.refresh(web_app, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == INVALID


def test_blocked_user_is_told_and_the_token_is_not_spent(refresher, web_app, end_user):
    rotating(web_app.application)
    start = refresher.start(web_app)
    end_user.blocked = True
    end_user.save()

    response = refresher.refresh(web_app, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == {"error": "invalid_grant", "error_description": "user is blocked"}
    end_user.blocked = False
    end_user.save()
    ok(refresher.refresh(web_app, start["refresh_token"]))


def test_api_that_stopped_allowing_offline_access(refresher, web_app, offline_api):
    start = refresher.start(web_app)
    offline_api.allow_offline_access = False
    offline_api.save()

    response = refresher.refresh(web_app, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == INVALID


def test_deleted_api(refresher, web_app, offline_api):
    start = refresher.start(web_app)
    offline_api.delete()

    response = refresher.refresh(web_app, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == INVALID


def test_an_api_deleted_and_created_again_does_not_revive_its_refresh_tokens(
    refresher, web_app, offline_api
):
    start = refresher.start(web_app)
    resource_servers.delete_api(offline_api)
    again, _ = resource_servers.create_api(
        name="Orders again",
        identifier=ORDERS,
        scopes=[ScopeSpec("read:orders")],
        allow_offline_access=True,
    )

    response = refresher.refresh(web_app, start["refresh_token"])

    assert response.status_code == 403
    assert response.json() == INVALID
    # The control: a family started at the new API refreshes.
    clients.authorize(web_app.application, again, [])
    assert ok(refresher.refresh(web_app, refresher.start(web_app)["refresh_token"]))


def test_the_console_switches_the_refresh_grant(refresher, spa, client, django_user_model):
    # Advanced Settings > Grant Types: the switch is what the token endpoint obeys, and the
    # grant types Gatehouse does not serve (a SPA's default `implicit`) are kept.
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    url = f"/applications/{spa.client_id}/advanced/"
    page = client.get(url).content.decode()
    assert 'id="id_refresh_token" checked' in page
    assert "<code>implicit</code>" in page
    start = refresher.start(spa)

    assert client.post(url, {"authorization_code": "on"}).status_code == 302
    refused = refresher.refresh(spa, start["refresh_token"])
    assert refused.status_code == 403
    assert refused.json()["error"] == "unauthorized_client"
    page = client.get(url).content.decode()
    assert 'id="id_refresh_token" checked' not in page
    assert "<code>implicit</code>" in page

    client.post(url, {"authorization_code": "on", "refresh_token": "on"})
    # Refused for the grant type, the token was not spent: it works once the grant is back.
    assert refresher.refresh(spa, start["refresh_token"]).status_code == 200


def test_the_console_keeps_public_clients_off_client_credentials(spa, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    url = f"/applications/{spa.client_id}/advanced/"
    response = client.post(url, {"refresh_token": "on", "client_credentials": "on"})
    assert response.status_code == 200
    assert 'id="id_client_credentials_error"' in response.content.decode()
    page = client.get(url).content.decode()
    assert 'id="id_refresh_token" checked' in page  # nothing of the refused change was saved
    assert 'id="id_authorization_code" checked' in page
