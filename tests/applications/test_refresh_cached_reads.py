"""The refresh grant reads the client, the API and its scopes through the per-connection grant
cache (applications/grant_cache.py), and a rotation writes one family UPDATE and one token
INSERT (issue 11 section 6). Changes made elsewhere still reach the next refresh.

As in tests/applications/test_grant_cache.py, each change is made by another connection (a
thread of its own), so the token endpoint can only learn of it from the database, and each
test waits (a few seconds at most) for PostgreSQL's notification to arrive."""

import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apis import resource_servers
from apis.models import Api, Scope
from applications import clients
from applications.models import Application, RefreshToken, RefreshTokenFamily
from tests.applications.conftest import ORDERS, rotating
from tests.applications.test_grant_cache import _in_another_connection

# Outside a test transaction, as in a server (inside one the cache is off).
pytestmark = pytest.mark.django_db(transaction=True)

CACHED_TABLES = ("applications_application", "apis_api", "apis_scope")
TRANSACTION_STATEMENTS = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}


class Chain:
    """A rotating family refreshed again and again: keeps its newest token."""

    def __init__(self, refresher, client) -> None:
        self.refresher = refresher
        self.client = client
        self.token = refresher.start(client)["refresh_token"]

    def refresh(self, **extra):
        response = self.refresher.refresh(self.client, self.token, **extra)
        if response.status_code == 200:
            self.token = response.json()["refresh_token"]
        return response

    def until(self, check: Callable[[object], bool], **extra):
        """The first response for which check(response) holds, or the last one (after 5 s)."""
        deadline = time.monotonic() + 5
        while True:
            response = self.refresh(**extra)
            if check(response) or time.monotonic() > deadline:
                return response
            time.sleep(0.01)


@pytest.fixture
def chain(refresher, web_app) -> Chain:
    rotating(web_app.application)
    started = Chain(refresher, web_app)
    assert started.refresh().status_code == 200  # the connection now holds client and API
    return started


def _statements(captured: CaptureQueriesContext) -> list[str | None]:
    # Transaction control is logged too; prepared statements are logged without their text.
    return [q["sql"] for q in captured.captured_queries if q["sql"] not in TRANSACTION_STATEMENTS]


def test_a_refresh_on_a_warm_connection_reads_no_client_api_or_scopes(chain, log_events_off):
    with CaptureQueriesContext(connection) as captured:
        response = chain.refresh()
    assert response.status_code == 200, response.content
    statements = _statements(captured)
    if connection.vendor == "postgresql":
        # One statement and no transaction around it: the token, family and user read, the
        # family advanced and the child inserted (applications/refresh_exchange.py). It tests
        # the API's offline access itself; the client, the API and its scopes come from the
        # cache.
        assert len(captured.captured_queries) == 1, captured.captured_queries
        sql = statements[0] or ""
        assert "INSERT INTO applications_refreshtoken" in sql, sql
        assert not any(table in sql for table in ("applications_application", "apis_scope"))
    else:
        # SQLite's cache forgets everything after any write on the connection (its own
        # total_changes), so each refresh reads the client, the API and its scopes again.
        cached_reads = [s for s in statements if any(t in (s or "") for t in CACHED_TABLES)]
        assert len(cached_reads) == 3, statements
        assert len(statements) == 6, [str(s)[:80] for s in statements]
    family = RefreshTokenFamily.objects.get()
    assert family.generation == 3
    assert family.rotated_at is not None
    assert RefreshToken.objects.count() == 3


def test_an_api_that_stops_allowing_offline_access_elsewhere_refuses_the_next_refresh(chain):
    _in_another_connection(
        lambda: Api.objects.filter(identifier=ORDERS).update(allow_offline_access=False)
    )
    response = chain.until(lambda r: r.status_code != 200)
    assert response.status_code == 403
    assert response.json()["error"] == "invalid_grant"
    # Refused before anything was written: once allowed again, the same token works.
    _in_another_connection(
        lambda: Api.objects.filter(identifier=ORDERS).update(allow_offline_access=True)
    )
    assert chain.until(lambda r: r.status_code == 200).status_code == 200


def test_a_scope_deleted_elsewhere_is_left_out_of_the_next_refresh(chain):
    assert "read:orders" in chain.refresh().json()["scope"].split()
    _in_another_connection(
        lambda: resource_servers.delete_scope(
            Scope.objects.get(api__identifier=ORDERS, value="read:orders")
        )
    )
    response = chain.until(lambda r: "read:orders" not in r.json()["scope"].split())
    assert response.status_code == 200
    assert "read:orders" not in response.json()["scope"].split()


def test_a_client_secret_rotated_elsewhere_refuses_the_old_one_at_refresh(chain, web_app):
    def rotate() -> None:
        new_secret.append(
            clients.rotate_client_secret(Application.objects.get(pk=web_app.application.pk))
        )

    new_secret: list[str] = []
    _in_another_connection(rotate)
    response = chain.until(lambda r: r.status_code == 401)
    assert response.status_code == 401
    assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    response = chain.refresh(client_secret=new_secret[0])
    assert response.status_code == 200, response.content


def test_inside_a_callers_transaction_the_api_is_read_from_the_database(chain):
    # grant_cache serves a transaction only when the refresh opened it itself: an outer one
    # may have written what the cache holds, so every refresh inside it reads the API.
    with transaction.atomic():
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert chain.refresh().status_code == 200
            assert any("apis_api" in (q["sql"] or "") for q in captured.captured_queries)
