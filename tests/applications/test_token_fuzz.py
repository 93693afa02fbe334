"""Property-based fuzzing of POST /oauth/token: whatever arrives (random bytes, content types,
headers, JSON documents, deep nesting, NUL bytes, bad UTF-8), the answer is never a 5xx and
always a JSON object: a token, or an RFC 6749 error."""

import base64
import json
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ORDERS = "https://orders.example/api"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis directory written by CI runs
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARAMETERS = [
    "grant_type",
    "client_id",
    "client_secret",
    "audience",
    "resource",
    "scope",
    "organization",
]

# WSGI hands header values over as latin-1 text.
header_text = st.text(st.characters(max_codepoint=255), max_size=200)
content_types = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/json",
            "application/json; charset=latin-1",
            "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8",
            "multipart/form-data; boundary=----x",
            "text/plain",
            "application/jwt",
            "",
            ";",
            "application/json;;;=",
            'application/json; charset="',
        ]
    ),
    header_text,
)
authorizations = st.one_of(
    st.none(),
    header_text,
    st.binary(max_size=120).map(lambda raw: "Basic " + base64.b64encode(raw).decode()),
    st.tuples(header_text, header_text).map(
        lambda pair: "Basic " + base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode()
    ),
    st.sampled_from(["Basic", "Basic ", "Basic ===", "Bearer x", "basic Og==", "Basic \x00"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def assert_json_answer(response) -> None:
    assert response.status_code < 500, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body, dict)
    if response.status_code == 200:
        assert set(body) <= {"access_token", "scope", "expires_in", "token_type"}
    else:
        assert 400 <= response.status_code < 500
        assert isinstance(body["error"], str) and body["error"]
        assert isinstance(body["error_description"], str)


def post(body: bytes, content_type: str, authorization: str | None):
    extra = {"CONTENT_TYPE": content_type}
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization
    # A fresh client per example: no cookies or state carried between examples.
    return HttpClient().generic("POST", "/oauth/token", body, **extra)


@pytest.mark.django_db
@FUZZ
@given(body=st.binary(max_size=2048), content_type=content_types, authorization=authorizations)
def test_random_bytes_with_random_headers(granted_client, body, content_type, authorization):
    assert_json_answer(post(body, content_type, authorization))


HEADER_NAMES = [
    "Accept",
    "Accept-Encoding",
    "Auth0-Client",
    "Content-Encoding",
    "Cookie",
    "HX-Request",
    "If-None-Match",
    "Origin",
    "Referer",
    "Transfer-Encoding",
    "User-Agent",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Requested-With",
]
header_names = st.sampled_from(HEADER_NAMES) | st.from_regex(r"\AX-[A-Za-z0-9-]{1,20}\Z")


@pytest.mark.django_db
@FUZZ
@given(
    headers=st.dictionaries(header_names, header_text, max_size=6),
    authorization=authorizations,
    as_json=st.booleans(),
)
def test_valid_bodies_with_random_headers(granted_client, headers, authorization, as_json):
    # Host is left out on purpose: Django refuses unknown hosts before any view runs.
    params = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
        "audience": ORDERS,
    }
    body = json.dumps(params) if as_json else urlencode(params)
    content_type = "application/json" if as_json else "application/x-www-form-urlencoded"
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    if authorization is not None:
        extra["HTTP_AUTHORIZATION"] = authorization

    response = HttpClient().generic(
        "POST", "/oauth/token", body.encode(), content_type=content_type, **extra
    )

    assert_json_answer(response)


@pytest.mark.django_db
@FUZZ
@given(document=json_values, authorization=authorizations)
def test_random_json_documents(granted_client, document, authorization):
    body = json.dumps(document).encode()

    assert_json_answer(post(body, "application/json", authorization))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_json_objects_with_the_real_parameter_names(granted_client, data):
    # Values drawn from the real credentials as well as junk, to reach the deeper checks.
    real = [
        "client_credentials",
        granted_client.client_id,
        granted_client.secret,
        ORDERS,
        "read:orders",
    ]
    values = st.one_of(st.sampled_from(real), json_values)
    document = data.draw(st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=6))

    response = post(json.dumps(document).encode(), "application/json", None)

    assert_json_answer(response)


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_form_bodies_with_random_percent_encoded_bytes(granted_client, data):
    real = [b"client_credentials", granted_client.client_id.encode(), ORDERS.encode()]
    values = st.one_of(st.sampled_from(real), st.binary(max_size=64))
    pairs = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([p.encode() for p in PARAMETERS]) | st.binary(max_size=8), values
            ),
            max_size=8,
        )
    )
    body = "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs).encode()
    authorization = data.draw(authorizations)

    assert_json_answer(post(body, "application/x-www-form-urlencoded", authorization))


@pytest.mark.django_db
@FUZZ
@given(depth=st.integers(min_value=1, max_value=8_000), kind=st.sampled_from(["[", '{"a":']))
def test_deeply_nested_json(granted_client, depth, kind):
    closing = "]" if kind == "[" else "}"
    body = (kind * depth + "1" + closing * depth).encode()

    assert_json_answer(post(body, "application/json", None))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\x00" * 100, "application/json"),
        (b"\x00" * 100, "application/x-www-form-urlencoded"),
        (b'{"grant_type":"client_credentials\x00"}', "application/json"),
        (b"grant_type=client_credentials%00", "application/x-www-form-urlencoded"),
        (b"\xc3\x28\xa0\xa1\xe2\x28\xa1", "application/json"),
        (b"grant_type=\xc3\x28", "application/x-www-form-urlencoded"),
        (b"grant_type=%C3%28", "application/x-www-form-urlencoded"),
        (b'"\\ud800"', "application/json"),
        (b"1e999999", "application/json"),
        (b"9" * 5000, "application/json"),
        (b"&" * 10_000, "application/x-www-form-urlencoded"),
        (b"a=1&" * 3000, "application/x-www-form-urlencoded"),
        (b"\xff\xfe" + "{}".encode("utf-16-le"), "application/json"),
    ],
)
def test_hostile_bodies(granted_client, body, content_type):
    assert_json_answer(post(body, content_type, None))


@pytest.mark.django_db
@pytest.mark.parametrize("content_length", ["abc", "-1", "1e3", " ", "0x10"])
def test_broken_content_length(granted_client, content_length):
    response = HttpClient().generic(
        "POST",
        "/oauth/token",
        b"grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=content_length,
    )

    assert_json_answer(response)
