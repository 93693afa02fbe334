"""Property-based fuzzing of POST /oauth/revoke: whatever arrives (random bytes, content
types, Basic headers, JSON documents, form pairs), the answer is never a 5xx: an empty 200
(RFC 7009 section 2.2) or an RFC 6749 error object, and never revokes another client's
refresh token."""

import json
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client as HttpClient
from hypothesis import given
from hypothesis import strategies as st

from applications import clients
from applications.models import AppType, RefreshTokenFamily
from tests.applications.test_token_fuzz import FUZZ, authorizations, content_types, json_values

PARAMETERS = ["client_id", "client_secret", "token", "token_type_hint"]


def assert_answer(response) -> None:
    assert response.status_code < 500, response.content
    assert response["Cache-Control"] == "no-store"
    if response.status_code == 200:
        assert response.content == b""
        return
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["error_description"], str)


def post(body: bytes, content_type: str, authorization: str | None):
    extra = {"CONTENT_TYPE": content_type}
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    return HttpClient().generic("POST", "/oauth/revoke", body, **extra)


@pytest.fixture
def victim(refresher, web_app) -> str:
    """A live refresh token of the web application that fuzzing must never revoke."""
    return refresher.start(web_app)["refresh_token"]


@pytest.fixture
def attacker(tenant):
    application, secret = clients.create_application(name="Other", app_type=AppType.SPA)
    return application


@pytest.mark.django_db
@FUZZ
@given(body=st.binary(max_size=2048), content_type=content_types, authorization=authorizations)
def test_random_bytes_with_random_headers(victim, body, content_type, authorization):
    assert_answer(post(body, content_type, authorization))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_json_objects_with_the_real_parameter_names(victim, attacker, data):
    real = [attacker.client_id, victim, "refresh_token", "access_token", ""]
    values = st.one_of(st.sampled_from(real), json_values)
    document = data.draw(st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=4))

    assert_answer(post(json.dumps(document).encode(), "application/json", None))
    assert not RefreshTokenFamily.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_form_bodies_with_random_percent_encoded_bytes(victim, attacker, data):
    real = [attacker.client_id.encode(), victim.encode(), b"refresh_token"]
    values = st.one_of(st.sampled_from(real), st.binary(max_size=64))
    pairs = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([p.encode() for p in PARAMETERS]) | st.binary(max_size=8), values
            ),
            max_size=6,
        )
    )
    body = "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs).encode()

    assert_answer(post(body, "application/x-www-form-urlencoded", data.draw(authorizations)))
    assert not RefreshTokenFamily.objects.filter(revoked_at__isnull=False).exists()
