"""Which API a token is for: `audience` (Auth0), RFC 8707's `resource` as the same thing, or
the tenant's default audience when a request names neither (issue 9 item 6). Exact statuses
and bodies; a refusal issues nothing."""

import json

import jwt
import pytest

from apis import resource_servers, tenant_settings
from applications import clients

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"
NO_AUDIENCE = {
    "error": "access_denied",
    "error_description": "No audience parameter was provided, and no default audience has "
    "been configured",
}


def request_for(client, **extra) -> dict:
    """A client-credentials request without audience unless one is given."""
    params = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.secret,
    }
    params.update(extra)
    return {name: value for name, value in params.items() if value is not None}


def audience_of(response) -> str:
    assert response.status_code == 200, response.content
    return jwt.decode(response.json()["access_token"], options={"verify_signature": False})["aud"]


def assert_refused(response, status: int, body: dict) -> None:
    assert response.status_code == status, response.content
    assert response.json() == body
    assert response["Cache-Control"] == "no-store"


# --- resource (RFC 8707) --------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_resource_names_the_audience(post_token, granted_client, as_json):
    response = post_token(request_for(granted_client, resource=ORDERS), as_json=as_json)

    assert audience_of(response) == ORDERS
    assert response.json()["scope"] == "read:orders write:orders"


def test_resource_and_audience_may_both_name_the_same_api(post_token, granted_client):
    response = post_token(request_for(granted_client, audience=ORDERS, resource=ORDERS))

    assert audience_of(response) == ORDERS


def test_resource_and_audience_naming_different_apis_is_invalid(
    post_token, granted_client, hs256_api
):
    response = post_token(request_for(granted_client, audience=ORDERS, resource=LEDGER))

    assert_refused(
        response,
        400,
        {
            "error": "invalid_request",
            "error_description": "The audience and resource parameters name different APIs "
            f'("{ORDERS}" and "{LEDGER}"): send one of them, or the same value in both.',
        },
    )


def test_resource_differing_from_audience_only_by_a_trailing_slash_is_different(
    post_token, granted_client
):
    response = post_token(request_for(granted_client, audience=ORDERS, resource=ORDERS + "/"))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "resource",
    [
        "orders",  # no scheme: a relative reference
        "/api",
        "//orders.example/api",
        "https://orders.example/api#read",  # RFC 8707 section 2: no fragment
        "https://orders.example/a pi",
        "https://orders.example/\u00e9",  # an IRI, not a URI
        "1https://orders.example/",  # a scheme starts with a letter
        "https://orders.example/%zz",
        "https://orders.example/\u00a0",
    ],
)
def test_resource_must_be_an_absolute_uri_without_a_fragment(post_token, granted_client, resource):
    response = post_token(request_for(granted_client, resource=resource))

    assert_refused(
        response,
        400,
        {
            "error": "invalid_target",
            "error_description": "The resource parameter must be an absolute URI without a "
            "fragment (RFC 8707 section 2).",
        },
    )


@pytest.mark.parametrize(
    "resource", ["urn:orders", "https://orders.example/api?v=2", "HTTPS://orders.example/%41"]
)
def test_other_absolute_uris_are_valid_resources(post_token, m2m_client, tenant, resource):
    api, _ = resource_servers.create_api(name="Odd", identifier=resource)
    clients.authorize(m2m_client.application, api, [])

    response = post_token(request_for(m2m_client, resource=resource))

    assert audience_of(response) == resource


def test_only_one_resource_per_request(post_token, granted_client, hs256_api):
    params = [*request_for(granted_client).items(), ("resource", ORDERS), ("resource", LEDGER)]

    response = post_token(params)

    assert_refused(
        response,
        400,
        {
            "error": "invalid_target",
            "error_description": "Gatehouse issues a token for one resource at a time: send one "
            "resource parameter.",
        },
    )


def test_only_one_resource_in_a_json_body_either(client, granted_client):
    body = (
        json.dumps(request_for(granted_client, resource=ORDERS))[:-1]
        + f', "resource": "{ORDERS}"}}'
    )

    response = client.post("/oauth/token", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_target"


def test_a_json_resource_must_be_a_string(client, granted_client):
    body = json.dumps({**request_for(granted_client), "resource": [ORDERS]})

    response = client.post("/oauth/token", body, content_type="application/json")

    assert_refused(
        response,
        400,
        {"error": "invalid_request", "error_description": "Parameter 'resource' must be a string."},
    )


def test_an_unknown_resource_is_an_unknown_audience(post_token, granted_client):
    response = post_token(request_for(granted_client, resource="https://nope.example/"))

    assert_refused(
        response,
        403,
        {
            "error": "access_denied",
            "error_description": "Service not enabled within domain: https://nope.example/",
        },
    )


def test_an_api_whose_identifier_is_no_uri_is_asked_for_by_audience(post_token, m2m_client, tenant):
    api, _ = resource_servers.create_api(name="Plain", identifier="orders-api")
    clients.authorize(m2m_client.application, api, [])

    assert audience_of(post_token(request_for(m2m_client, audience="orders-api"))) == "orders-api"
    assert post_token(request_for(m2m_client, resource="orders-api")).json()["error"] == (
        "invalid_target"
    )


# --- neither: the tenant's default audience -------------------------------------------------


@pytest.mark.parametrize("blank", [None, ""], ids=["absent", "empty"])
def test_without_audience_or_default_auth0_refuses_with_403(post_token, granted_client, blank):
    # RFC 6749 section 3.2: a parameter sent without a value is treated as omitted.
    response = post_token(request_for(granted_client, audience=blank, resource=blank))

    assert_refused(response, 403, NO_AUDIENCE)


def test_without_audience_a_wrong_secret_is_still_unauthorized(post_token, granted_client):
    # The 403 tells something about the tenant: only an authenticated client learns it.
    response = post_token(request_for(granted_client, client_secret="wrong"))

    assert_refused(response, 401, {"error": "access_denied", "error_description": "Unauthorized"})


def test_without_audience_an_unknown_client_is_unauthorized(post_token, granted_client):
    response = post_token(request_for(granted_client, client_id="N" * 32))

    assert response.status_code == 401


@pytest.mark.parametrize("blank", [None, ""], ids=["absent", "empty"])
def test_the_default_audience_serves_requests_that_name_none(post_token, granted_client, blank):
    tenant_settings.update(default_audience=ORDERS)

    response = post_token(request_for(granted_client, audience=blank))

    assert audience_of(response) == ORDERS
    assert response.json()["scope"] == "read:orders write:orders"


def test_a_named_audience_wins_over_the_default(post_token, m2m_client, orders_api, hs256_api):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    tenant_settings.update(default_audience=ORDERS)

    assert audience_of(post_token(request_for(m2m_client, audience=LEDGER))) == LEDGER
    assert audience_of(post_token(request_for(m2m_client, resource=LEDGER))) == LEDGER


def test_the_default_audience_still_needs_a_grant(post_token, m2m_client, orders_api):
    tenant_settings.update(default_audience=ORDERS)

    response = post_token(request_for(m2m_client))

    assert_refused(
        response,
        403,
        {
            "error": "access_denied",
            "error_description": f'Client "{m2m_client.client_id}" is not authorized to access '
            f'resource server "{ORDERS}". You need to create a "client-grant" associated to '
            "this API.",
        },
    )


def test_scopes_are_checked_against_the_default_audience(post_token, granted_client):
    tenant_settings.update(default_audience=ORDERS)

    narrowed = post_token(request_for(granted_client, scope="read:orders"))
    refused = post_token(request_for(granted_client, scope="read:ledger"))

    assert narrowed.json()["scope"] == "read:orders"
    assert_refused(
        refused,
        403,
        {
            "error": "access_denied",
            "error_description": "Client has not been granted scopes: read:ledger",
        },
    )


def test_deleting_the_default_api_brings_back_the_403(post_token, granted_client, orders_api):
    tenant_settings.update(default_audience=ORDERS)
    resource_servers.delete_api(orders_api)

    response = post_token(request_for(granted_client))

    assert_refused(response, 403, NO_AUDIENCE)


def test_clearing_the_default_brings_back_the_403(post_token, granted_client):
    tenant_settings.update(default_audience=ORDERS)
    tenant_settings.update(default_audience="")

    assert_refused(post_token(request_for(granted_client)), 403, NO_AUDIENCE)


# --- the hot path ---------------------------------------------------------------------------


@pytest.fixture
def ledger_client(m2m_client, hs256_api):
    # HS256: its secret comes with the grant, so the grant lookup is the request's one query
    # (an RS256 token may also re-read the current signing key).
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    return m2m_client


# Query counts of the token path: its log events are the buffer's, not the request's.
@pytest.mark.usefixtures("log_events_off")
@pytest.mark.parametrize("default", [None, LEDGER], ids=["no-default", "with-default"])
@pytest.mark.parametrize("name", ["audience", "resource"])
def test_a_request_that_names_its_api_never_reads_the_default(
    post_token, ledger_client, django_assert_num_queries, default, name
):
    if default:
        tenant_settings.update(default_audience=default)

    with django_assert_num_queries(1):  # the grant, nothing else
        response = post_token(request_for(ledger_client, **{name: LEDGER}))

    assert audience_of(response) == LEDGER


@pytest.mark.usefixtures("log_events_off")
def test_a_request_that_names_none_reads_the_default_once(
    post_token, ledger_client, django_assert_num_queries
):
    tenant_settings.update(default_audience=LEDGER)

    # Inside the test's transaction nothing is cached (applications/grant_cache.py).
    with django_assert_num_queries(2):  # the default audience, then the grant
        response = post_token(request_for(ledger_client))

    assert audience_of(response) == LEDGER
