"""Failed sign-ins recorded by several connections at once, on PostgreSQL: none is lost (the
pair's row is created with an insert that ignores a conflict, then locked and incremented),
and the failure that reaches the threshold is logged exactly once."""

import re
import threading

import pytest
import requests
from django.db import connection
from django.utils import timezone

from logs.models import LogEvent
from tests.applications.front_channel import authorize_url
from tests.applications.front_channel_fixtures import *  # noqa: F403
from users import brute_force
from users.models import FailedLoginCount


def race(count: int, identifier: str, ip: str) -> list[object]:
    """`count` threads, each on its own connection, record one failure at the same moment."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def worker() -> None:
        try:
            attempt = brute_force.guard(identifier, ip)
            barrier.wait(timeout=10)
            outcomes.append(brute_force.record_failure(attempt, timezone.now()))
        except BaseException as error:  # reported by the test, not swallowed
            outcomes.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the SQLite test database is in memory and shared-cache locks "
    "are not waited for, so threads cannot race there",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [2, 12])
def test_parallel_failures_count_exactly_and_block_once(count):
    brute_force.update_settings(max_attempts=2)
    outcomes = race(count, "ada@example.com", "203.0.113.7")
    assert all(isinstance(outcome, bool) for outcome in outcomes), outcomes
    assert len(outcomes) == count
    assert FailedLoginCount.objects.get(identifier="ada@example.com").count == count
    assert outcomes.count(False) == 1  # only the first failure left the pair unblocked
    assert LogEvent.objects.filter(type="limit_wc").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_failures_on_an_existing_row_count_exactly():
    attempt = brute_force.guard("ada@example.com", "203.0.113.7")
    brute_force.record_failure(attempt, timezone.now())
    outcomes = race(10, "ada@example.com", "203.0.113.7")
    assert all(isinstance(outcome, bool) for outcome in outcomes), outcomes
    # Counts 2 to 11 against the default threshold of 10: the last two found it blocked.
    assert sorted(outcomes) == [False] * 8 + [True] * 2
    assert FailedLoginCount.objects.get().count == 11


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_over_real_http_count_exactly(live_server, web_app, end_user):
    """The sign-in page itself, served by live_server to 8 threads at once."""
    browser = requests.Session()
    login_page = browser.get(live_server.url + authorize_url(web_app), timeout=30)
    assert login_page.status_code == 200 and "/u/login" in login_page.url
    form = {
        "csrfmiddlewaretoken": re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text
        ).group(1),
        "state": re.search(r'name="state" value="([^"]+)"', login_page.text).group(1),
        "username": "ada@example.com",
        "password": "Wrong-Guess-1",
    }
    count = 8
    barrier = threading.Barrier(count)
    statuses: list[object] = []

    def worker() -> None:
        try:
            own = requests.Session()
            own.cookies.update(browser.cookies)
            barrier.wait(timeout=10)
            response = own.post(
                live_server.url + "/u/login",
                data=form,
                headers={"Referer": login_page.url},
                timeout=30,
            )
            statuses.append(response.status_code)
        except BaseException as error:  # reported by the test, not swallowed
            statuses.append(error)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * count
    assert FailedLoginCount.objects.get(identifier="ada@example.com", ip="127.0.0.1").count == count
