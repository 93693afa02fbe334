"""Strict input everywhere under /api/v2/: hostile bodies, queries and paths get a 4xx in
Auth0's error shape, never a 500 or an HTML page, and nothing is written."""

import json

import pytest

from apis.models import Api
from applications.models import Application, ClientGrant
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

BODY_ENDPOINTS = [
    ("POST", "/resource-servers"),
    ("PATCH", "/resource-servers/https%3A%2F%2Forders.example%2Fapi"),
    ("POST", "/clients"),
    ("PATCH", "/clients/{client}"),
    ("POST", "/client-grants"),
    ("PATCH", "/client-grants/{grant}"),
]
HOSTILE_BODIES = [
    ("application/json", b"{"),
    ("application/json", b'{"name": NaN}'),
    ("application/json", b'{"token_lifetime": Infinity}'),
    ("application/json", b"[" * 50_000 + b"]" * 50_000),
    ("application/json", b"\xff\xfe"),
    ("application/json", b'"just a string"'),
    ("application/json", b"null"),
    ("application/json", b"12"),
    ("application/json", b'{"name": "\\u0000"}'),
    ("application/json", b'{"name": "\\ud800"}'),
    ("application/json", b'{"scope": [[]], "scopes": {"a": 1}}'),
    ("application/json", json.dumps({"token_lifetime": 10**40}).encode()),
    ("application/json", json.dumps({"name": "x" * 10_000}).encode()),
    ("text/plain", b"name=x"),
    ("application/x-www-form-urlencoded", b"name=%ff"),
    ("application/x-www-form-urlencoded", b"token_lifetime=abc"),
    ("application/x-www-form-urlencoded", b"scopes=read"),
    ("application/x-www-form-urlencoded", b"\xff=1"),
]


def snapshot() -> tuple:
    return (
        sorted(Api.objects.values_list("identifier", "name", "token_lifetime")),
        sorted(Application.objects.values_list("client_id", "name")),
        sorted(ClientGrant.objects.values_list("id", "scopes__value")),
    )


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
def test_hostile_bodies_are_400_and_write_nothing(mgmt: Mgmt, granted_client, method, path):
    path = path.format(
        client=granted_client.client_id, grant=granted_client.application.grants.get().id
    )
    before = snapshot()
    for content_type, raw in HOSTILE_BODIES:
        response = mgmt.call(method, path, raw=raw, content_type=content_type)
        assert response.status_code == 400, (content_type, raw[:40], response.content)
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"statusCode", "error", "message", "errorCode"}
        assert (body["statusCode"], body["error"], body["errorCode"]) == (
            400,
            "Bad Request",
            "invalid_body",
        )
    assert snapshot() == before


def test_deeply_nested_values_are_400(mgmt: Mgmt, m2m_client):
    nested = "[" * 900 + "]" * 900
    for method, path, field in [
        ("POST", "/clients", "grant_types"),
        ("PATCH", f"/clients/{m2m_client.client_id}", "grant_types"),
        ("POST", "/resource-servers", "scopes"),
    ]:
        raw = f'{{"name": "x", "identifier": "urn:x", "{field}": [{nested}, {nested}]}}'
        response = mgmt.call(method, path, raw=raw)
        assert response.status_code == 400, response.content
        assert response.json()["errorCode"] == "invalid_body"


def test_nesting_past_the_limit_is_refused_by_name(mgmt: Mgmt, tenant):
    metadata = {"k": "v"}
    for _ in range(32):  # 33 levels with the body itself
        metadata = {"k": metadata}
    response = mgmt.call("POST", "/clients", {"name": "x", "client_metadata": metadata})
    assert response.status_code == 400, response.content
    assert response.json()["message"] == (
        "Payload validation error: values nest deeper than 32 levels."
    )


def test_malformed_json_message(mgmt: Mgmt, tenant):
    response = mgmt.post("/resource-servers", raw="{", content_type="application/json")
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Invalid request payload JSON format",
        "errorCode": "invalid_body",
    }


def test_a_nul_character_names_the_property(mgmt: Mgmt, tenant):
    response = mgmt.post("/resource-servers", {"identifier": "urn:x", "name": "a\u0000b"})
    assert response.json()["message"] == (
        "Payload validation error: 'String contains characters that are not allowed (NUL or "
        "lone surrogates)' on property name (Friendly name for this resource server.)."
    )


def test_form_bodies_are_read_by_the_declared_types(mgmt: Mgmt, tenant):
    response = mgmt.post(
        "/resource-servers",
        raw="identifier=urn%3Aform&token_lifetime=600&allow_offline_access=true",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["identifier"], body["token_lifetime"], body["allow_offline_access"]) == (
        "urn:form",
        600,
        True,
    )


def test_an_oversized_body_is_413_json(mgmt: Mgmt, tenant):
    response = mgmt.post("/clients", raw=b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert response.status_code == 413
    assert response.json()["statusCode"] == 413
    assert response.json()["errorCode"] == "payload_too_large"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=name", "Query validation error: 'Additional properties not allowed: sort'."),
        (
            "page=-1",
            "Query validation error: 'Value -1 is less than minimum 0' on property page (Page "
            "index of the results to return. First page is 0.).",
        ),
        (
            "page=abc",
            "Query validation error: 'Expected type integer but found type string' on property "
            "page (Page index of the results to return. First page is 0.).",
        ),
        (
            "per_page=0",
            "Query validation error: 'Value 0 is less than minimum 1' on property per_page "
            "(Number of results per page. Defaults to 50.).",
        ),
        (
            "per_page=101",
            "Query validation error: 'Value 101 is greater than maximum 100' on property "
            "per_page (Number of results per page. Defaults to 50.).",
        ),
        (
            "include_totals=yes",
            "Query validation error: 'Expected type boolean but found type string' on property "
            "include_totals (Return results inside an object that contains the total result "
            "count (true) or as a direct array of results (false, default).).",
        ),
        (
            "page=1&page=2",
            "Query validation error: 'Expected type integer but found type array' on property "
            "page (Page index of the results to return. First page is 0.).",
        ),
        (
            "identifiers=%00",
            "Query validation error: 'String contains characters that are not allowed (NUL or "
            "lone surrogates)' on property identifiers[0].",
        ),
    ],
)
def test_query_errors(mgmt: Mgmt, tenant, query, message):
    response = mgmt.get(f"/resource-servers?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_query_string",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/keys/signing?page=1",
        "/keys/signing/" + "A" * 43 + "?x=1",
        "/clients/" + "A" * 32 + "?include_totals=true",
    ],
)
def test_endpoints_without_query_parameters_refuse_them(mgmt: Mgmt, tenant, path):
    response = mgmt.get(path)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"


@pytest.mark.parametrize(
    "path",
    [
        "/clients/%00",
        "/client-grants/%00",
        "/keys/signing/%00",
        "/resource-servers/%00",
        "/resource-servers/" + "%F0%9F%92%A9" * 601,
    ],
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_hostile_path_parameters_are_400_not_500(mgmt: Mgmt, tenant, path, method):
    response = mgmt.call(method, path, {} if method == "PATCH" else None)
    assert response.status_code in (400, 405)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("method", "status"), [("GET", 404), ("PATCH", 404), ("DELETE", 204)])
def test_an_undecodable_path_id_is_looked_up_as_its_literal_text(
    mgmt: Mgmt, tenant, method, status
):
    # Django re-percent-encodes bytes that are not UTF-8 (RFC 3987 section 3.2), so no lone
    # surrogate reaches a view: the id is the storable text "%ED%A0%80", and no client has it.
    response = mgmt.call(method, "/clients/%ED%A0%80", {} if method == "PATCH" else None)
    assert response.status_code == status
    if status == 404:
        assert response.json()["errorCode"] == "inexistent_client"


# --- protocol strings: only the characters the RFCs name are whitespace (issue 9 item 5) ----


@pytest.mark.parametrize("raw", [b"\x0b", b"\x0c", b"\xc2\xa0", b" \x0c "])
def test_a_body_of_non_json_whitespace_is_not_an_empty_body(mgmt: Mgmt, orders_api, raw):
    # RFC 8259 section 2: JSON's whitespace is SP, HTAB, LF and CR; only those make a body empty.
    before = snapshot()
    response = mgmt.patch(f"/resource-servers/{orders_api.id}", raw=raw)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Invalid request payload JSON format",
        "errorCode": "invalid_body",
    }
    assert snapshot() == before


def test_a_body_of_json_whitespace_is_an_empty_body(mgmt: Mgmt, orders_api):
    response = mgmt.patch(f"/resource-servers/{orders_api.id}", raw=b" \t\r\n")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content_type",
    ["application/json\u00a0", "\u00a0application/json", "application/json\u0085; charset=utf-8"],
)
def test_a_media_type_padded_with_other_whitespace_is_refused(mgmt: Mgmt, orders_api, content_type):
    before = snapshot()
    response = mgmt.patch(
        f"/resource-servers/{orders_api.id}",
        raw=json.dumps({"name": "Renamed"}),
        content_type=content_type,
    )
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Content-Type must be application/json or application/x-www-form-urlencoded.",
        "errorCode": "invalid_body",
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    "content_type", ["application/json ; charset=utf-8", " application/json\t", "Application/JSON"]
)
def test_media_types_the_rfcs_allow(mgmt: Mgmt, orders_api, content_type):
    response = mgmt.patch(
        f"/resource-servers/{orders_api.id}",
        raw=json.dumps({"name": "Renamed"}),
        content_type=content_type,
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"


@pytest.mark.parametrize("path", ["/resource-servers/{api}", "/clients/{client}"])
def test_fields_are_comma_separated_and_only_spaces_around_them_are_trimmed(
    mgmt: Mgmt, granted_client, orders_api, path
):
    path = path.format(api=orders_api.id, client=granted_client.client_id)
    # "name, %20description" trims the spaces; U+00A0 is part of a name no object has, so it
    # selects nothing, as any unknown name does (Auth0's behaviour), and never a 500.
    spaced = mgmt.get(f"{path}?fields=name,%20%20name").json()
    assert spaced == {"name": mgmt.get(path).json()["name"]}
    padded = mgmt.get(f"{path}?fields=name,%C2%A0identifier,%C2%A0client_id")
    assert padded.status_code == 200
    assert padded.json() == {"name": spaced["name"]}
    alone = mgmt.get(f"{path}?fields=%C2%A0")
    assert alone.status_code == 200
    assert alone.json() == {}
    excluded = mgmt.get(f"{path}?fields=%C2%A0name&include_fields=false").json()
    assert excluded == mgmt.get(path).json()
