"""The tenant's default audience on the token path: read only by requests that name no API,
kept in the connection's grant cache, and forgotten when the database says the settings (or
anything a grant is read from) changed: PostgreSQL's NOTIFY trigger on the settings table
(applications/migrations/0003), SQLite's data_version. Changes are made by another
connection, as a console or Management API request in another worker would make them."""

from urllib.parse import urlencode

import jwt
import pytest
from django.db import connection

from apis import resource_servers, tenant_settings
from apis.models import Api
from applications import clients
from tests.applications.test_grant_cache import (
    LISTEN_QUERIES,
    _eventually,
    _in_another_connection,
    _other_client,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Query counts of the token path: its log events are the buffer's, not the request's.
    pytest.mark.usefixtures("log_events_off"),
]

ORDERS = "https://orders.example/api"
LEDGER = "https://ledger.example/"


def _request_without_audience(client, granted):
    body = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": granted.client_id,
            "client_secret": granted.secret,
        }
    )
    return client.post("/oauth/token", body, content_type="application/x-www-form-urlencoded")


def _audience(response) -> str | None:
    if response.status_code != 200:
        return None
    return jwt.decode(response.json()["access_token"], options={"verify_signature": False})["aud"]


@pytest.fixture
def two_apis_client(m2m_client, orders_api, hs256_api):
    clients.authorize(m2m_client.application, orders_api, ["read:orders"])
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    return m2m_client


def test_a_cached_default_audience_costs_no_query(
    client, two_apis_client, django_assert_num_queries, django_assert_max_num_queries
):
    tenant_settings.update(default_audience=LEDGER)  # HS256: the grant is the only read
    with django_assert_max_num_queries(LISTEN_QUERIES + 2):  # LISTEN, the default, the grant
        assert _audience(_request_without_audience(client, two_apis_client)) == LEDGER
    for _ in range(3):
        with django_assert_num_queries(0):
            assert _audience(_request_without_audience(client, two_apis_client)) == LEDGER


def test_no_default_is_read_again_each_time(client, two_apis_client, django_assert_num_queries):
    # Only found values are kept; "none configured" is a refusal, always read afresh.
    assert _request_without_audience(client, two_apis_client).status_code == 403
    with django_assert_num_queries(2):  # the default, then the client on its own to authenticate
        assert _request_without_audience(client, two_apis_client).status_code == 403


def test_a_default_changed_elsewhere_applies_to_the_next_request(client, two_apis_client):
    tenant_settings.update(default_audience=ORDERS)
    assert _audience(_request_without_audience(client, two_apis_client)) == ORDERS

    _in_another_connection(lambda: tenant_settings.update(default_audience=LEDGER))

    response = _eventually(
        lambda: _request_without_audience(client, two_apis_client),
        lambda r: _audience(r) == LEDGER,
    )
    assert _audience(response) == LEDGER


def test_a_default_cleared_elsewhere_brings_back_the_403(client, two_apis_client):
    tenant_settings.update(default_audience=ORDERS)
    assert _audience(_request_without_audience(client, two_apis_client)) == ORDERS

    _in_another_connection(lambda: tenant_settings.update(default_audience=""))

    response = _eventually(
        lambda: _request_without_audience(client, two_apis_client),
        lambda r: r.status_code != 200,
    )
    assert response.status_code == 403
    assert response.json()["error_description"].startswith("No audience parameter")


def test_deleting_the_default_api_elsewhere_brings_back_the_403(client, two_apis_client):
    tenant_settings.update(default_audience=ORDERS)
    assert _audience(_request_without_audience(client, two_apis_client)) == ORDERS

    _in_another_connection(lambda: resource_servers.delete_api(Api.objects.get(identifier=ORDERS)))

    response = _eventually(
        lambda: _request_without_audience(client, two_apis_client),
        lambda r: r.status_code != 200,
    )
    assert response.status_code == 403
    assert response.json()["error_description"].startswith("No audience parameter")


def test_a_default_set_in_plain_sql_by_another_client_is_seen(client, two_apis_client, settings):
    # Only the settings table changes here: on PostgreSQL its own trigger must say so.
    tenant_settings.update(default_audience=ORDERS)
    assert _audience(_request_without_audience(client, two_apis_client)) == ORDERS
    ledger_id = Api.objects.get(identifier=LEDGER).pk

    with _other_client(settings) as other:
        placeholder = "%s" if connection.vendor == "postgresql" else "?"
        other.execute(
            f"UPDATE apis_tenantsettings SET default_audience_id = {placeholder}",  # noqa: S608
            [ledger_id],
        )

    response = _eventually(
        lambda: _request_without_audience(client, two_apis_client),
        lambda r: _audience(r) == LEDGER,
    )
    assert _audience(response) == LEDGER
