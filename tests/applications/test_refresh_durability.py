"""Which refresh-token writes wait for PostgreSQL's WAL flush
(applications/refresh_token_recovery.py): a rotation does not, unless
REFRESH_TOKEN_ASYNC_COMMIT is off; a reuse detection and a revocation always do.

Observed through the server's own counters: pg_stat_wal.wal_write counts the WAL writes, and
a synchronous commit writes its WAL itself, one write per commit when nothing else runs,
while asynchronous commits leave it to the WAL writer, which writes a few times a second.
Every request goes through POST /oauth/token or /oauth/revoke on a connection outside any
test transaction, as in a server.
"""

from urllib.parse import urlencode

import pytest
from django.db import connection

from applications.models import RefreshTokenFamily
from applications.refresh_tokens import REUSE_DETECTED
from tests.applications.conftest import rotating
from users.models import User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("log_events_off"),  # their buffer would commit on its own
]

REQUESTS = 30


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("asynchronous commit is PostgreSQL's; SQLite's commits are unchanged")


def _wal_writes() -> int:
    """The server's WAL writes so far, this connection's own included."""
    with connection.cursor() as cursor:
        # This backend reports its counters when idle, at most once a second unless told.
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT wal_write FROM pg_stat_wal")
        return cursor.fetchone()[0]


def _tokens(refresher, web_app, count: int, *, users: list[User] | None = None) -> list[str]:
    """`count` first tokens of rotating families (of `users`, one each, when given)."""
    rotating(web_app.application)
    overrides = [{"user": user} for user in users] if users else [{}] * count
    return [refresher.start(web_app, **each)["refresh_token"] for each in overrides]


def _rotate_each(refresher, web_app, tokens: list[str]) -> list[str]:
    children = []
    for token in tokens:
        response = refresher.refresh(web_app, token)
        assert response.status_code == 200, response.content
        children.append(response.json()["refresh_token"])
    return children


def _writes_for_rotations(refresher, web_app, count: int) -> int:
    """The server's WAL writes while `count` new families are rotated once each."""
    tokens = _tokens(refresher, web_app, count)
    before = _wal_writes()
    _rotate_each(refresher, web_app, tokens)
    return _wal_writes() - before


def test_a_rotation_does_not_wait_for_the_wal_flush(refresher, web_app, settings):
    # The counter is the whole server's: autovacuum, the checkpointer and the WAL writer add
    # to it at times (11 writes in 0.14 s was seen). So the rotations are compared with as
    # many made with REFRESH_TOKEN_ASYNC_COMMIT off, in the same test: those write at least
    # once each, while asynchronous ones leave the writing to the WAL writer's few wake-ups.
    rotations = 2 * REQUESTS
    asynchronous = _writes_for_rotations(refresher, web_app, rotations)
    settings.REFRESH_TOKEN_ASYNC_COMMIT = False
    synchronous = _writes_for_rotations(refresher, web_app, rotations)

    assert synchronous >= rotations, f"{synchronous} WAL writes for {rotations} rotations"
    assert asynchronous < synchronous // 2, (
        f"{asynchronous} WAL writes for {rotations} rotations, {synchronous} when synchronous"
    )
    # Rotated all the same: every family is one generation further.
    generations = RefreshTokenFamily.objects.values_list("generation", flat=True)
    assert sorted(generations) == [2] * 2 * rotations


def test_a_reuse_detection_waits_for_its_wal(refresher, web_app):
    # One user per family: a reuse detection revokes the grant's other families too, and
    # each replay must be a detection of its own, not a refusal of a revoked family.
    users = [User.objects.create(email=f"reuse{i}@example.com") for i in range(REQUESTS)]
    tokens = _tokens(refresher, web_app, REQUESTS, users=users)
    _rotate_each(refresher, web_app, tokens)
    before = _wal_writes()
    for spent in tokens:  # no overlap period: a replay of a spent token is reuse
        assert refresher.refresh(web_app, spent).status_code == 403
    writes = _wal_writes() - before
    assert writes >= REQUESTS, f"{writes} WAL writes for {REQUESTS} reuse detections"
    reasons = RefreshTokenFamily.objects.values_list("revoked_reason", flat=True)
    assert list(reasons) == [REUSE_DETECTED] * REQUESTS


def test_a_revocation_waits_for_its_wal(refresher, web_app, client):
    tokens = _rotate_each(refresher, web_app, _tokens(refresher, web_app, REQUESTS))
    before = _wal_writes()
    for token in tokens:
        body = urlencode(
            {"client_id": web_app.client_id, "client_secret": web_app.secret, "token": token}
        )
        response = client.post(
            "/oauth/revoke", body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200, response.content
    writes = _wal_writes() - before
    assert writes >= REQUESTS, f"{writes} WAL writes for {REQUESTS} revocations"
    assert not RefreshTokenFamily.objects.filter(revoked_at__isnull=True).exists()
