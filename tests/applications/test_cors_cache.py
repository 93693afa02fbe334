"""CORS origins come from the connection's grant cache (applications/cors_origins.py): read
once, no query after that, and forgotten as soon as an application changes elsewhere (NOTIFY
on PostgreSQL, `data_version` on SQLite), so a removed origin stops working at once."""

import pytest
from django.db import connection

from applications import clients, cors_origins
from applications.models import Application, AppType

from .test_grant_cache import _eventually, _in_another_connection

pytestmark = pytest.mark.django_db(transaction=True)
LISTEN_QUERIES = 1 if connection.vendor == "postgresql" else 0
OLD = "https://old.example"
NEW = "https://new.example"


@pytest.fixture
def spa(tenant):
    application, _ = clients.create_application(name="SPA", app_type=AppType.SPA)
    application.allowed_origins = [OLD]
    application.save()
    return application


def preflight_allows(client, origin: str) -> bool:
    response = client.options(
        "/oauth/token", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    return response.get("Access-Control-Allow-Origin") == origin


def test_origins_are_read_once_per_connection(
    client, spa, django_assert_max_num_queries, django_assert_num_queries
):
    # LISTEN (PostgreSQL), every application's origins (the preflight), then the client's.
    with django_assert_max_num_queries(LISTEN_QUERIES + 2):
        assert preflight_allows(client, OLD)
        assert cors_origins.allowed(spa.client_id, OLD)
    with django_assert_num_queries(0):
        for _ in range(3):
            assert preflight_allows(client, OLD)
            assert cors_origins.allowed(spa.client_id, OLD)
            assert not cors_origins.allowed(spa.client_id, NEW)


def test_a_change_elsewhere_takes_effect_at_once(client, spa):
    assert preflight_allows(client, OLD)
    assert cors_origins.allowed(spa.client_id, OLD)

    def replace():
        Application.objects.filter(pk=spa.pk).update(allowed_origins=[NEW])

    _in_another_connection(replace)
    _eventually(lambda: preflight_allows(client, NEW), bool)

    assert preflight_allows(client, NEW)
    assert not preflight_allows(client, OLD)
    assert cors_origins.allowed(spa.client_id, NEW)
    assert not cors_origins.allowed(spa.client_id, OLD)
