"""Property-based fuzzing of the authorization-code grant's parameters and of /userinfo:
whatever arrives (real and junk values for every parameter, JSON of any shape, random
percent-encoded bytes, hostile bearer headers and bodies), the answer is never a 5xx and
always a JSON object: tokens, or an RFC 6749 / RFC 6750 error."""

import json
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client as HttpClient
from hypothesis import given
from hypothesis import strategies as st

from tests.applications.conftest import CALLBACK, SPA_CALLBACK, VERIFIER, s256
from tests.applications.test_token_fuzz import FUZZ, authorizations, header_text, json_values

PARAMETERS = [
    "grant_type",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "code_verifier",
    "audience",
    "scope",
    "nonce",
]
TOKEN_KEYS = {"access_token", "id_token", "scope", "expires_in", "token_type"}


def assert_json_answer(response) -> None:
    assert response.status_code < 500, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body, dict)
    if response.status_code == 200:
        assert set(body) <= TOKEN_KEYS
    else:
        assert isinstance(body["error"], str) and body["error"]
        assert isinstance(body["error_description"], str)


def post(body: bytes, content_type: str, authorization: str | None = None):
    extra = {"CONTENT_TYPE": content_type}
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    return HttpClient().generic("POST", "/oauth/token", body, **extra)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_json_objects_with_real_and_junk_values(web_app, spa, make_code, data):
    code = make_code.issue(
        web_app.application, code_challenge=s256(VERIFIER), code_challenge_method="S256"
    )
    spa_code = make_code.issue_pkce(spa.application)
    real = [
        "authorization_code",
        web_app.client_id,
        web_app.secret,
        spa.client_id,
        code,
        spa_code,
        CALLBACK,
        SPA_CALLBACK,
        VERIFIER,
        "",
        None,
    ]
    values = st.one_of(st.sampled_from(real), json_values)
    document = data.draw(st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=9))
    document.setdefault("grant_type", "authorization_code")
    authorization = data.draw(authorizations)

    assert_json_answer(post(json.dumps(document).encode(), "application/json", authorization))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_form_bodies_with_random_percent_encoded_bytes(web_app, make_code, data):
    code = make_code.issue(web_app.application)
    real = [
        b"authorization_code",
        web_app.client_id.encode(),
        web_app.secret.encode(),
        code.encode(),
        CALLBACK.encode(),
        VERIFIER.encode(),
    ]
    values = st.one_of(st.sampled_from(real), st.binary(max_size=64))
    names = st.sampled_from([name.encode() for name in PARAMETERS]) | st.binary(max_size=8)
    pairs = data.draw(st.lists(st.tuples(names, values), max_size=9))
    pairs.insert(0, (b"grant_type", b"authorization_code"))
    body = "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs).encode()

    assert_json_answer(post(body, "application/x-www-form-urlencoded", data.draw(authorizations)))


@pytest.mark.django_db
@FUZZ
@given(
    code=st.text(max_size=600),
    verifier=st.text(max_size=200),
    redirect_uri=st.text(max_size=300),
)
def test_any_text_in_code_verifier_and_redirect_uri(web_app, code, verifier, redirect_uri):
    document = {
        "grant_type": "authorization_code",
        "client_id": web_app.client_id,
        "client_secret": web_app.secret,
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
    }

    response = post(json.dumps(document).encode(), "application/json")

    assert_json_answer(response)
    assert response.status_code != 200


@pytest.mark.django_db
@FUZZ
@given(
    authorization=st.one_of(authorizations, header_text.map(lambda text: "Bearer " + text)),
    body=st.binary(max_size=512),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/json", "text/plain", ""]
    ),
    method=st.sampled_from(["GET", "POST"]),
)
def test_userinfo_never_fails(tenant, authorization, body, content_type, method):
    extra = {"CONTENT_TYPE": content_type}
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization

    response = HttpClient().generic(method, "/userinfo", body, **extra)

    assert response.status_code in (400, 401), response.content
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"].startswith('Bearer realm="gatehouse"')
    assert response["Cache-Control"] == "no-store"
