"""The same code exchanged by several connections at once, on PostgreSQL: exactly one wins,
and the /userinfo token it got is revoked by the replays that lost, however they interleave
(the code is spent and its token stored in one transaction, applications/code_exchange.py)."""

import threading
import time

import pytest
from django.db import connection

from applications import code_exchange, user_access_tokens
from applications.models import AuthorizationCode, OpaqueAccessToken
from applications.oauth import OAuthError, TokenRequest
from tests.applications.conftest import CALLBACK


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the SQLite test database is in memory and shared-cache locks "
    "are not waited for, so threads cannot race there",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [2, 6])
def test_racing_exchanges_one_wins_and_its_userinfo_token_is_revoked(
    web_app, make_code, monkeypatch, count
):
    # Widen the window between spending the code and storing its token, so that a replay
    # lands inside it every time: without the shared transaction it would revoke nothing.
    issue_opaque = user_access_tokens.issue_opaque

    def slow_issue_opaque(**kwargs):
        time.sleep(0.3)
        return issue_opaque(**kwargs)

    monkeypatch.setattr(user_access_tokens, "issue_opaque", slow_issue_opaque)
    code = make_code.issue(web_app.application)
    request = TokenRequest(
        grant_type="authorization_code",
        client_id=web_app.client_id,
        client_secret=web_app.secret,
        audience=None,
        scope=None,
        code=code,
        redirect_uri=CALLBACK,
    )
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(code_exchange.exchange(request))
        except BaseException as error:  # reported by the test, not swallowed
            outcomes.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    refusals = [outcome for outcome in outcomes if isinstance(outcome, OAuthError)]
    assert len(outcomes) == count
    assert len(refusals) == count - 1, outcomes
    assert all(refusal.error == "invalid_grant" for refusal in refusals)
    assert OpaqueAccessToken.objects.count() == 0
    assert AuthorizationCode.objects.get().used_at is not None
