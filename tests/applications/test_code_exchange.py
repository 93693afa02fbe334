"""POST /oauth/token with grant_type=authorization_code: the request forms, client
authentication, and every error row of AUTH0_USER_FLOWS.md section 3.3, exact bodies."""

import base64
import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.utils import timezone

from applications import clients, codes
from applications.models import AuthorizationCode, OpaqueAccessToken
from tests.applications.conftest import CALLBACK, SPA_CALLBACK, VERIFIER, s256
from tests.conftest import basic_header

UNAUTHORIZED = {"error": "access_denied", "error_description": "Unauthorized"}
INVALID_CODE = {"error": "invalid_grant", "error_description": "Invalid authorization code"}
PKCE_FAILED = {"error": "invalid_grant", "error_description": "Failed to verify code verifier"}
BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"'


def form(client, code, **extra) -> dict:
    params = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "client_secret": client.secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    params.update(extra)
    return {name: value for name, value in params.items() if value is not None}


def assert_no_store(response) -> None:
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


# --- success -------------------------------------------------------------------------------


def test_form_body_success_exact_shape(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code))

    assert response.status_code == 200, response.content
    assert_no_store(response)
    body = response.json()
    assert list(body) == ["access_token", "id_token", "scope", "expires_in", "token_type"]
    assert body["scope"] == "openid profile email"
    assert body["expires_in"] == 86400
    assert isinstance(body["expires_in"], int)
    assert body["token_type"] == "Bearer"


def test_json_body_with_nulls_and_empty_strings_as_absent(post_token, web_app, make_code):
    # auth0-python sends "redirect_uri": null when not given and "scope": "".
    code = make_code.issue(web_app.application, redirect_uri="")
    body = {
        **form(web_app, code),
        "redirect_uri": None,
        "scope": "",
        "audience": None,
        "code_verifier": "",
        "nonce": "ignored",
        "organization": None,
        "unknown_field": {"nested": [1, 2]},
    }

    response = post_token(body, as_json=True)

    assert response.status_code == 200, response.content


def test_extra_fields_are_ignored(post_token, web_app, make_code, orders_api):
    code = make_code.issue(web_app.application)

    response = post_token(
        form(web_app, code, audience=orders_api.identifier, scope="read:orders", nonce="x")
    )

    assert response.status_code == 200
    # The code decides: no audience was authorized, so the token is the opaque one.
    assert response.json()["access_token"].count(".") == 0
    assert response.json()["scope"] == "openid profile email"


def test_secret_in_http_basic(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)
    params = form(web_app, code)
    del params["client_secret"], params["client_id"]

    response = post_token(params, authorization=basic_header(web_app.client_id, web_app.secret))

    assert response.status_code == 200, response.content


def test_basic_credentials_are_form_url_decoded(post_token, web_app, make_code):
    # openid-client v6 (oauth4webapi formUrlEncode) percent-encodes - _ . ! ~ * ' ( ) too.
    def encode(value: str) -> str:
        return "".join(
            f"%{ord(char):02X}" if char in "-_.!~*'()" else quote(char, safe="") for char in value
        )

    code = make_code.issue(web_app.application)
    params = form(web_app, code)
    del params["client_secret"]
    raw = f"{encode(web_app.client_id)}:{encode(web_app.secret)}"
    authorization = "Basic " + base64.b64encode(raw.encode()).decode()

    response = post_token(params, authorization=authorization)

    assert response.status_code == 200, response.content


def test_basic_and_body_secret_together_is_invalid_request(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)

    response = post_token(
        form(web_app, code), authorization=basic_header(web_app.client_id, web_app.secret)
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    # The code was never reached: it still works.
    assert post_token(form(web_app, code)).status_code == 200


def test_public_client_sends_only_its_client_id(post_token, spa, make_code):
    code = make_code.issue_pkce(spa.application)

    response = post_token(
        {
            "grant_type": "authorization_code",
            "client_id": spa.client_id,
            "code": code,
            "redirect_uri": SPA_CALLBACK,
            "code_verifier": VERIFIER,
        }
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("secret_ok", "status"), [(True, 200), (False, 401)])
def test_public_client_sending_a_secret_has_it_checked(
    post_token, spa, make_code, secret_ok, status
):
    code = make_code.issue_pkce(spa.application)
    secret = spa.secret if secret_ok else spa.secret + "x"

    response = post_token(
        form(spa, code, client_secret=secret, redirect_uri=SPA_CALLBACK, code_verifier=VERIFIER)
    )

    assert response.status_code == status
    if status == 401:
        assert response.json() == UNAUTHORIZED


# --- client errors -------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_confidential_client_without_secret_is_401(post_token, web_app, make_code, as_json):
    code = make_code.issue(web_app.application)
    params = form(web_app, code)
    del params["client_secret"]

    response = post_token(params, as_json=as_json)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert "WWW-Authenticate" not in response
    assert_no_store(response)
    # The code is still good: an unauthenticated request never reaches it.
    assert post_token(form(web_app, code)).status_code == 200


@pytest.mark.parametrize("as_json", [False, True])
def test_wrong_secret_is_401(post_token, web_app, make_code, as_json):
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code, client_secret="wrong"), as_json=as_json)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_wrong_basic_secret_is_401_with_a_basic_challenge(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)
    params = form(web_app, code)
    del params["client_secret"]

    response = post_token(params, authorization=basic_header(web_app.client_id, "nope"))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE


def test_unknown_client_is_401(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code, client_id="x" * 32))

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("as_json", [False, True])
def test_grant_type_not_allowed_for_the_client(post_token, web_app, make_code, as_json):
    clients.update_application(web_app.application, grant_types=["client_credentials"])
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code), as_json=as_json)

    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'authorization_code' not allowed for the client.",
        "error_uri": "https://auth0.com/docs/clients/client-grant-types",
    }


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("missing", ["absent", None, ""])
def test_missing_code(post_token, web_app, as_json, missing):
    params = form(web_app, "placeholder")
    if missing == "absent":
        del params["code"]
    else:
        params["code"] = missing
    if missing is None and not as_json:
        del params["code"]

    response = post_token(params, as_json=as_json)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: code",
    }


def test_missing_client_id(post_token, web_app):
    params = form(web_app, "some-code")
    del params["client_id"]

    response = post_token(params)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: client_id",
    }


# --- code errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_unknown_code(post_token, web_app, make_code, as_json):
    make_code.issue(web_app.application)

    response = post_token(form(web_app, "not-a-code"), as_json=as_json)

    assert response.status_code == 403
    assert response.json() == INVALID_CODE
    assert_no_store(response)


def test_reused_code_is_refused_and_revokes_the_userinfo_token(
    client, post_token, web_app, make_code
):
    code = make_code.issue(web_app.application)
    first = post_token(form(web_app, code))
    assert first.status_code == 200
    token = first.json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/userinfo", headers=bearer).status_code == 200

    second = post_token(form(web_app, code))

    assert second.status_code == 403
    assert second.json() == INVALID_CODE
    assert OpaqueAccessToken.objects.count() == 0
    assert client.get("/userinfo", headers=bearer).status_code == 401


def test_code_expires_after_60_seconds(post_token, web_app, make_code):
    issued = timezone.now() - dt.timedelta(seconds=codes.CODE_LIFETIME)
    expired = make_code.issue(web_app.application, now=issued)
    almost = make_code.issue(web_app.application, now=issued + dt.timedelta(seconds=2))

    assert post_token(form(web_app, expired)).json() == INVALID_CODE
    assert post_token(form(web_app, almost)).status_code == 200


def test_time_travel_past_expiry(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)
    AuthorizationCode.objects.update(expires_at=timezone.now() - dt.timedelta(milliseconds=1))

    response = post_token(form(web_app, code))

    assert response.status_code == 403
    assert response.json() == INVALID_CODE


def test_another_clients_code(post_token, web_app, make_code, tenant):
    other, other_secret = clients.create_application(name="Other", app_type="regular_web")
    code = make_code.issue(other)

    response = post_token(form(web_app, code))

    assert response.status_code == 403
    assert response.json() == INVALID_CODE
    # Not spent by the wrong client: its owner can still redeem it.
    owner = {"client_id": other.client_id, "client_secret": other_secret}
    assert post_token(form(web_app, code, **owner)).status_code == 200


@pytest.mark.parametrize(
    "sent",
    [None, "", CALLBACK + "/", "https://app.example/callback?x=1", "HTTPS://app.example/callback"],
)
def test_redirect_uri_mismatch(post_token, web_app, make_code, sent):
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code, redirect_uri=sent), as_json=True)

    assert response.status_code == 403
    assert response.json() == INVALID_CODE
    # A failed attempt spends the code.
    assert post_token(form(web_app, code)).json() == INVALID_CODE


def test_redirect_uri_may_be_omitted_when_authorize_had_none(post_token, web_app, make_code):
    code = make_code.issue(web_app.application, redirect_uri="")

    response = post_token(form(web_app, code, redirect_uri=None))

    assert response.status_code == 200


# --- PKCE ----------------------------------------------------------------------------------


def test_pkce_s256(post_token, web_app, make_code):
    code = make_code.issue(
        web_app.application, code_challenge=s256(VERIFIER), code_challenge_method="S256"
    )

    assert post_token(form(web_app, code, code_verifier=VERIFIER)).status_code == 200


def test_pkce_plain(post_token, web_app, make_code):
    code = make_code.issue(
        web_app.application, code_challenge=VERIFIER, code_challenge_method="plain"
    )

    assert post_token(form(web_app, code, code_verifier=VERIFIER)).status_code == 200


@pytest.mark.parametrize(
    "verifier", [None, "", VERIFIER[:-1] + "x", s256(VERIFIER), "short", "ä" * 50]
)
def test_pkce_wrong_or_missing_verifier(post_token, web_app, make_code, verifier):
    code = make_code.issue(
        web_app.application, code_challenge=s256(VERIFIER), code_challenge_method="S256"
    )

    response = post_token(form(web_app, code, code_verifier=verifier))

    assert response.status_code == 403
    assert response.json() == PKCE_FAILED
    # Burned: the right verifier no longer helps.
    assert post_token(form(web_app, code, code_verifier=VERIFIER)).json() == INVALID_CODE


def test_pkce_verifier_for_a_code_without_challenge(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code, code_verifier=VERIFIER))

    assert response.status_code == 403
    assert response.json() == PKCE_FAILED


def test_public_client_code_without_pkce_is_refused(post_token, spa, make_code):
    code = make_code.issue(spa.application, redirect_uri=SPA_CALLBACK)

    response = post_token(
        {
            "grant_type": "authorization_code",
            "client_id": spa.client_id,
            "code": code,
            "redirect_uri": SPA_CALLBACK,
        }
    )

    assert response.status_code == 403
    assert response.json() == PKCE_FAILED


# --- the user ------------------------------------------------------------------------------


def test_blocked_user(post_token, web_app, make_code, end_user):
    code = make_code.issue(web_app.application)
    end_user.blocked = True
    end_user.save(update_fields=["blocked"])

    response = post_token(form(web_app, code))

    assert response.status_code == 403
    assert response.json()["error"] == "invalid_grant"
    assert "user is blocked" in response.json()["error_description"]


def test_deleted_user(post_token, web_app, make_code, end_user):
    code = make_code.issue(web_app.application)
    end_user.delete()

    response = post_token(form(web_app, code))

    assert response.status_code == 403
    assert response.json() == INVALID_CODE


def test_api_deleted_since_the_code_was_issued(post_token, web_app, make_code, orders_api):
    code = make_code.issue(web_app.application, audience=orders_api.identifier)
    orders_api.delete()

    response = post_token(form(web_app, code))

    assert response.status_code == 403
    assert response.json() == INVALID_CODE


def test_hs256_client_without_stored_secret_is_a_clean_server_error(
    post_token, web_app, make_code, caplog
):
    web_app.application.id_token_alg = "HS256"
    web_app.application.save(update_fields=["id_token_alg"])
    code = make_code.issue(web_app.application)

    response = post_token(form(web_app, code))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "server_error"
    assert "Rotate the client secret" in response.json()["error_description"]
    assert web_app.client_id in caplog.text
    # The code was not spent on a server fault.
    assert AuthorizationCode.objects.get().used_at is None


def test_no_signing_key_is_503_and_leaves_the_code_unspent(post_token, web_app, make_code):
    from keys.models import SigningKey

    code = make_code.issue(web_app.application)
    SigningKey.objects.all().delete()
    from keys import signing

    signing.forget_cached_keys()

    response = post_token(form(web_app, code))

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert AuthorizationCode.objects.get().used_at is None


def test_unsupported_grant_type_still_listed_by_client_credentials(post_token, web_app):
    response = post_token({"grant_type": "password", "client_id": web_app.client_id})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_json_parameter_of_wrong_type(post_token, web_app, make_code):
    code = make_code.issue(web_app.application)

    response = post_token({**form(web_app, code), "code": [code]}, as_json=True)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Parameter 'code' must be a string.",
    }
    assert json.loads(response.content)


def test_basic_credentials_with_every_character_openid_client_encodes(
    post_token, web_app, make_code
):
    from applications import credentials

    chosen = "s3cret-_.!~*'()+ %/:end"
    web_app.application.secret_digest = credentials.digest_secret(chosen)
    web_app.application.save(update_fields=["secret_digest"])
    code = make_code.issue(web_app.application)
    params = form(web_app, code)
    del params["client_secret"]
    # RFC 6749 section 2.3.1: application/x-www-form-urlencoded, then base64 (space is "+").
    encoded = quote(chosen, safe="").replace("-", "%2D").replace("_", "%5F").replace(".", "%2E")
    encoded = encoded.replace("~", "%7E").replace("%20", "+")
    raw = f"{web_app.client_id}:{encoded}"

    response = post_token(params, authorization="Basic " + base64.b64encode(raw.encode()).decode())

    assert response.status_code == 200, response.content
