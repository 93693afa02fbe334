"""POST /oauth/token: every success and error of the client-credentials grant, exact bodies and
headers (issue 2 section 4, AUTH0_COMPAT.md section 8)."""

import base64
import json
from urllib.parse import urlencode

import jwt
import pytest
from django.test import Client as HttpClient

from apis import resource_servers
from apis.resource_servers import ScopeSpec
from applications import clients
from applications.models import AppType, ClientGrant
from tests.conftest import basic_header

ORDERS = "https://orders.example/api"
UNAUTHORIZED = {"error": "access_denied", "error_description": "Unauthorized"}
BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"'


def credentials(client, **extra) -> dict:
    params = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
        "audience": ORDERS,
    }
    params.update(extra)
    return {name: value for name, value in params.items() if value is not None}


def assert_token_headers(response) -> None:
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def unverified_claims(token: str) -> dict:
    # Signature checks live in test_tokens.py; here only the scope claim is of interest.
    return jwt.decode(token, options={"verify_signature": False})


# --- success -------------------------------------------------------------------------------


def test_form_body_success_exact_shape(post_token, granted_client):
    response = post_token(credentials(granted_client))

    assert response.status_code == 200
    assert_token_headers(response)
    assert "WWW-Authenticate" not in response
    body = response.json()
    assert list(body) == ["access_token", "scope", "expires_in", "token_type"]
    assert body["scope"] == "read:orders write:orders"
    assert body["expires_in"] == 86400
    assert body["token_type"] == "Bearer"
    assert body["access_token"].count(".") == 2


def test_json_body_as_auth0_python_sends_it(post_token, granted_client):
    # GetToken.client_credentials sends JSON with "organization": null.
    response = post_token(
        {
            "client_id": granted_client.client_id,
            "audience": ORDERS,
            "grant_type": "client_credentials",
            "organization": None,
            "client_secret": granted_client.secret,
        },
        as_json=True,
    )

    assert response.status_code == 200
    assert_token_headers(response)
    assert response.json()["scope"] == "read:orders write:orders"


def test_basic_authentication_success(post_token, granted_client):
    response = post_token(
        {"grant_type": "client_credentials", "audience": ORDERS},
        authorization=basic_header(granted_client.client_id, granted_client.secret),
    )

    assert response.status_code == 200
    assert unverified_claims(response.json()["access_token"])["azp"] == granted_client.client_id


def test_basic_authentication_with_matching_body_client_id(post_token, granted_client):
    response = post_token(
        credentials(granted_client, client_secret=None),
        authorization=basic_header(granted_client.client_id, granted_client.secret),
    )

    assert response.status_code == 200


def test_basic_credentials_are_form_urlencoded(post_token, tenant, orders_api):
    # RFC 6749 section 2.3.1: id and secret are form-urlencoded before base64. Secrets made
    # by Gatehouse are base64url, so encode one by hand to prove the decoding happens.
    application, secret = clients.create_application(name="Encoded")
    clients.authorize(application, orders_api, [])
    encoded_secret = "".join(f"%{ord(char):02X}" for char in secret)
    response = post_token(
        {"grant_type": "client_credentials", "audience": ORDERS},
        authorization=basic_header(application.client_id, encoded_secret),
    )

    assert response.status_code == 200


def test_requested_scope_subset(post_token, granted_client):
    response = post_token(credentials(granted_client, scope="write:orders"))

    assert response.status_code == 200
    assert response.json()["scope"] == "write:orders"
    assert unverified_claims(response.json()["access_token"])["scope"] == "write:orders"


def test_requested_scope_duplicates_and_extra_spaces_collapse(post_token, granted_client):
    response = post_token(credentials(granted_client, scope="  write:orders   write:orders "))

    assert response.status_code == 200
    assert response.json()["scope"] == "write:orders"


def test_blank_scope_means_every_granted_scope(post_token, granted_client):
    response = post_token(credentials(granted_client, scope=""))

    assert response.status_code == 200
    assert response.json()["scope"] == "read:orders write:orders"


def test_empty_grant_omits_scope_from_response_and_token(post_token, m2m_client, orders_api):
    clients.authorize(m2m_client.application, orders_api, [])

    response = post_token(credentials(m2m_client))

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "expires_in", "token_type"]
    assert "scope" not in unverified_claims(body["access_token"])


def test_expires_in_is_the_api_token_lifetime(post_token, m2m_client, tenant):
    api, _ = resource_servers.create_api(
        name="Short",
        identifier="https://short.example/",
        token_lifetime=60,
        token_lifetime_for_web=60,
    )
    clients.authorize(m2m_client.application, api, [])

    response = post_token(credentials(m2m_client, audience="https://short.example/"))

    assert response.status_code == 200
    assert response.json()["expires_in"] == 60
    claims = unverified_claims(response.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 60


def test_regular_web_application_may_use_client_credentials(post_token, tenant, orders_api):
    application, secret = clients.create_application(name="Web", app_type=AppType.REGULAR_WEB)
    clients.authorize(application, orders_api, ["read:orders"])

    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": secret,
            "audience": ORDERS,
        }
    )

    assert response.status_code == 200


def test_no_csrf_token_needed(granted_client):
    # Machines post here without cookies or CSRF tokens; enforce CSRF as a browser would.
    strict = HttpClient(enforce_csrf_checks=True)

    response = strict.post(
        "/oauth/token",
        urlencode(credentials(granted_client)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200


def test_a_console_session_does_not_change_the_answer(
    client, django_user_model, post_token, granted_client
):
    client.force_login(django_user_model.objects.create_superuser("root", password=None))

    ok = post_token(credentials(granted_client))
    refused = post_token(credentials(granted_client, client_secret="wrong"))

    assert ok.status_code == 200
    assert refused.status_code == 401


# --- client authentication ----------------------------------------------------------------


def test_wrong_secret_and_unknown_client_are_indistinguishable(post_token, granted_client):
    wrong_secret = post_token(credentials(granted_client, client_secret="x" * 64))
    unknown_client = post_token(credentials(granted_client, client_id="N" * 32))

    for response in (wrong_secret, unknown_client):
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        assert_token_headers(response)
        assert "WWW-Authenticate" not in response


def test_missing_client_secret_is_unauthorized(post_token, granted_client):
    response = post_token(credentials(granted_client, client_secret=None))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_another_clients_secret_is_refused(post_token, granted_client):
    _, other_secret = clients.create_application(name="Other")

    response = post_token(credentials(granted_client, client_secret=other_secret))

    assert response.status_code == 401


def test_wrong_secret_with_basic_gets_a_basic_challenge(post_token, granted_client):
    response = post_token(
        {"grant_type": "client_credentials", "audience": ORDERS},
        authorization=basic_header(granted_client.client_id, "wrong"),
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE
    assert_token_headers(response)


def test_unknown_client_with_basic_gets_a_basic_challenge(post_token, granted_client):
    response = post_token(
        {"grant_type": "client_credentials", "audience": ORDERS},
        authorization=basic_header("N" * 32, granted_client.secret),
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE


def test_basic_and_body_secret_together_are_refused(post_token, granted_client):
    response = post_token(
        credentials(granted_client),
        authorization=basic_header(granted_client.client_id, granted_client.secret),
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Use one client authentication method: HTTP Basic or "
        "client_secret in the body, not both.",
    }
    assert_token_headers(response)


def test_basic_with_a_different_body_client_id_is_refused(post_token, granted_client):
    response = post_token(
        {"grant_type": "client_credentials", "client_id": "N" * 32, "audience": ORDERS},
        authorization=basic_header(granted_client.client_id, granted_client.secret),
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "client_id in the body does not match the Basic credentials.",
    }


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic",
        "Basic ",
        "basic   ",
        "Basic !!!!",
        "Basic " + b64(b"no-colon-here"),
        "Basic " + b64(b"\xff\xfe:\xfd"),
        "Basic " + b64(b"id:secret")[:-1],
        "Basic " + b64(b"id\x00:secret"),
        "Basic " + b64(b"id:sec\nret"),
    ],
    ids=[
        "scheme-only",
        "scheme-space",
        "lowercase-blank",
        "not-base64",
        "no-colon",
        "not-utf8",
        "bad-padding",
        "nul",
        "newline",
    ],
)
def test_broken_basic_headers_are_bad_requests(post_token, granted_client, authorization):
    # client_id in the body too, so a 400 cannot come from a missing client_id instead.
    response = post_token(
        credentials(granted_client, client_secret=None), authorization=authorization
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_request"
    assert_token_headers(response)


def test_other_authorization_schemes_are_ignored(post_token, granted_client):
    # A Bearer header is not client authentication; the body's credentials still count.
    response = post_token(credentials(granted_client), authorization="Bearer abc.def.ghi")

    assert response.status_code == 200


def test_rotated_client_secret_replaces_the_old_one(post_token, granted_client):
    old = granted_client.secret
    new = clients.rotate_client_secret(granted_client.application)

    assert post_token(credentials(granted_client, client_secret=old)).status_code == 401
    assert post_token(credentials(granted_client, client_secret=new)).status_code == 200


# --- grant type, audience and scope ---------------------------------------------------------


def test_application_without_client_credentials_is_unauthorized_client(
    post_token, tenant, orders_api
):
    application, secret = clients.create_application(
        name="Web login only", app_type=AppType.REGULAR_WEB, grant_types=["authorization_code"]
    )
    clients.authorize(application, orders_api, ["read:orders"])

    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": secret,
            "audience": ORDERS,
        }
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'client_credentials' not allowed for the client.",
        "error_uri": "https://auth0.com/docs/clients/client-grant-types",
    }
    assert_token_headers(response)


@pytest.mark.parametrize("app_type", [AppType.SPA, AppType.NATIVE])
def test_public_clients_are_unauthorized_clients(post_token, tenant, orders_api, app_type):
    application, secret = clients.create_application(name="Public", app_type=app_type)
    clients.authorize(application, orders_api, [])

    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": secret,
            "audience": ORDERS,
        }
    )

    assert response.status_code == 403
    assert response.json()["error"] == "unauthorized_client"


def test_unauthorized_client_is_only_told_after_authentication(post_token, tenant, orders_api):
    application, _ = clients.create_application(
        name="Web login only", app_type=AppType.REGULAR_WEB, grant_types=["authorization_code"]
    )

    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": "guess",
            "audience": ORDERS,
        }
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("grant_type", ["password", "REFRESH_TOKEN", "CLIENT_CREDENTIALS"])
def test_unsupported_grant_type(post_token, granted_client, grant_type):
    response = post_token(credentials(granted_client, grant_type=grant_type))

    assert response.status_code == 400
    assert response.json() == {
        "error": "unsupported_grant_type",
        "error_description": f"Unsupported grant type: {grant_type}",
    }
    assert_token_headers(response)


# Without audience, the tenant's default audience applies: test_token_audience.py.
@pytest.mark.parametrize("missing", ["grant_type", "client_id"])
def test_missing_required_parameter(post_token, granted_client, missing):
    params = credentials(granted_client)
    del params[missing]

    response = post_token(params)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": f"Missing required parameter: {missing}",
    }
    assert_token_headers(response)


def test_empty_form_body(client, tenant):
    response = client.generic(
        "POST", "/oauth/token", b"", CONTENT_TYPE="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: grant_type",
    }


def test_unknown_audience(post_token, granted_client):
    response = post_token(credentials(granted_client, audience="https://nope.example/"))

    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied",
        "error_description": "Service not enabled within domain: https://nope.example/",
    }
    assert_token_headers(response)


def test_audience_must_match_the_identifier_exactly(post_token, granted_client):
    # https://orders.example/api/ is a different API from https://orders.example/api.
    response = post_token(credentials(granted_client, audience=ORDERS + "/"))

    assert response.status_code == 403
    assert response.json()["error_description"] == (f"Service not enabled within domain: {ORDERS}/")


def test_audience_is_case_sensitive(post_token, granted_client):
    response = post_token(credentials(granted_client, audience="https://ORDERS.example/api"))

    assert response.status_code == 403
    assert response.json()["error_description"] == (
        "Service not enabled within domain: https://ORDERS.example/api"
    )


def test_client_id_is_case_sensitive(post_token, granted_client):
    response = post_token(
        credentials(granted_client, client_id=granted_client.client_id.swapcase())
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_unknown_audience_with_a_wrong_secret_is_unauthorized(post_token, granted_client):
    response = post_token(
        credentials(granted_client, audience="https://nope.example/", client_secret="wrong")
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_no_grant_for_the_api(post_token, m2m_client, orders_api):
    response = post_token(credentials(m2m_client))

    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied",
        "error_description": f'Client "{m2m_client.client_id}" is not authorized to access '
        f'resource server "{ORDERS}". You need to create a "client-grant" associated to '
        "this API.",
    }


def test_deleted_grant_takes_effect_on_the_next_request(post_token, granted_client):
    assert post_token(credentials(granted_client)).status_code == 200
    clients.delete_grant(ClientGrant.objects.get(application=granted_client.application))

    response = post_token(credentials(granted_client))

    assert response.status_code == 403
    assert "is not authorized to access" in response.json()["error_description"]


def test_ungranted_scopes_are_listed(post_token, m2m_client, orders_api):
    clients.authorize(m2m_client.application, orders_api, ["read:orders"])

    response = post_token(
        credentials(m2m_client, scope="read:orders write:orders delete:everything")
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied",
        "error_description": "Client has not been granted scopes: write:orders delete:everything",
    }


def test_deleted_scope_is_no_longer_granted(post_token, granted_client, orders_api):
    resource_servers.delete_scope(orders_api.scopes.get(value="write:orders"))

    ok = post_token(credentials(granted_client))
    refused = post_token(credentials(granted_client, scope="write:orders"))

    assert ok.json()["scope"] == "read:orders"
    assert refused.status_code == 403


def test_grant_for_one_api_does_not_open_another(post_token, granted_client, tenant):
    resource_servers.create_api(
        name="Stock", identifier="https://stock.example/", scopes=[ScopeSpec("read:orders")]
    )

    response = post_token(credentials(granted_client, audience="https://stock.example/"))

    assert response.status_code == 403


# --- malformed requests ---------------------------------------------------------------------


def test_repeated_form_parameter(post_token, granted_client):
    params = list(credentials(granted_client).items()) + [("audience", "https://other/")]

    response = post_token(params)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Parameter 'audience' must not be repeated.",
    }


def test_repeated_json_member(client, granted_client):
    body = json.dumps(credentials(granted_client))[:-1] + ', "audience": "https://other/"}'

    response = client.post("/oauth/token", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Parameter 'audience' must not be repeated.",
    }


def test_unknown_parameters_are_ignored(post_token, granted_client):
    # `resource` is read since issue 9 (RFC 8707): test_token_audience.py.
    response = post_token(credentials(granted_client, requested_token_use="x", extra="1"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"{", "The request body is not valid JSON."),
        (b"\xff\xfe{}", "The request body is not valid JSON."),
        (b'["grant_type"]', "The request body must be a JSON object."),
        (b'{"grant_type": 1}', "Parameter 'grant_type' must be a string."),
        (b'{"audience": ["a"]}', "Parameter 'audience' must be a string."),
        (
            b'{"grant_type": "client_\\u0000credentials"}',
            "Parameter 'grant_type' contains control characters or invalid Unicode.",
        ),
        (
            b'{"client_id": "\\ud800"}',
            "Parameter 'client_id' contains control characters or invalid Unicode.",
        ),
    ],
)
def test_malformed_json_bodies(client, tenant, body, description):
    response = client.post("/oauth/token", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    if description:
        assert response.json()["error_description"] == description
    assert_token_headers(response)


@pytest.mark.parametrize(
    "body",
    [
        b"grant_type=client_credentials&client_id=%FF%FE",
        b"grant_type=client_credentials&client_id=\xff",
        b"grant_type=client%00credentials",
    ],
)
def test_malformed_form_bodies(client, tenant, body):
    response = client.post("/oauth/token", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", ""])
def test_other_content_types_are_refused(client, granted_client, content_type):
    body = json.dumps(credentials(granted_client))

    response = client.post("/oauth/token", body, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Content-Type must be application/x-www-form-urlencoded or "
        "application/json.",
    }


def test_content_type_parameters_and_case_are_accepted(client, granted_client):
    body = json.dumps(credentials(granted_client))

    response = client.post("/oauth/token", body, content_type="Application/JSON; charset=utf-8")

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head"])
def test_other_methods_are_not_allowed(client, tenant, method):
    response = getattr(client, method)("/oauth/token")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Cache-Control"] == "no-store"
    if method != "head":
        assert response.json() == {
            "error": "invalid_request",
            "error_description": "Use POST for /oauth/token.",
        }


def test_body_over_the_limit_is_413(client, granted_client):
    body = json.dumps({**credentials(granted_client), "padding": "x" * 20_000})

    response = client.post("/oauth/token", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The request body exceeds 16384 bytes.",
    }
    assert_token_headers(response)


def test_megabytes_are_413_not_500(client, tenant):
    response = client.post(
        "/oauth/token", b"a=" + b"x" * 3_000_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413


def test_over_long_parameter(post_token, granted_client):
    response = post_token(credentials(granted_client, scope="s" * 5000))

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Parameter 'scope' is too long.",
    }


# --- query budget ----------------------------------------------------------------------------


def test_successful_rs256_request_makes_at_most_three_queries(
    post_token, granted_client, django_assert_max_num_queries
):
    assert post_token(credentials(granted_client)).status_code == 200  # fills the key cache

    with django_assert_max_num_queries(3):
        response = post_token(credentials(granted_client))

    assert response.status_code == 200


def test_successful_hs256_request_makes_at_most_three_queries(
    post_token, m2m_client, hs256_api, django_assert_max_num_queries
):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    params = credentials(m2m_client, audience="https://ledger.example/")
    assert post_token(params).status_code == 200

    with django_assert_max_num_queries(3):
        response = post_token(params)

    assert response.status_code == 200
    assert jwt.get_unverified_header(response.json()["access_token"])["alg"] == "HS256"


@pytest.mark.django_db
def test_not_bootstrapped_tenant_answers_503_not_500(post_token, m2m_client, orders_api):
    from applications import clients
    from keys.models import SigningKey

    clients.authorize(m2m_client.application, orders_api, ["read:orders"])
    SigningKey.objects.all().delete()  # as if `manage.py bootstrap` never ran

    response = post_token(
        {
            "grant_type": "client_credentials",
            "client_id": m2m_client.client_id,
            "client_secret": m2m_client.secret,
            "audience": "https://orders.example/api",
        }
    )

    assert response.status_code == 503
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": "The authorization server cannot issue tokens right now.",
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_keys_encrypted_under_a_lost_key_answer_503(post_token, granted_client, settings):
    from cryptography.fernet import Fernet

    from keys import vault

    settings.KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    vault.clear_cache()
    try:
        response = post_token(
            {
                "grant_type": "client_credentials",
                "client_id": granted_client.client_id,
                "client_secret": granted_client.secret,
                "audience": "https://orders.example/api",
            }
        )
    finally:
        vault.clear_cache()

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
