"""Brute-force protection of the end users' sign-in page, through HTTP (/authorize, then
POST /u/login from a chosen REMOTE_ADDR): AUTH0_USER_FLOWS.md section 7.4."""

import datetime as dt
import json
import logging

import pytest
from django.utils import timezone

from logs.models import LogEvent
from tests.applications.front_channel import PASSWORD, authorize_url, hidden, location, text
from tests.applications.front_channel_fixtures import *  # noqa: F403
from users import brute_force, directory
from users.models import FailedLoginCount

IP = "203.0.113.7"
OTHER_IP = "198.51.100.4"
WRONG = "Wrong-Guess-1"
BLOCKED = "Your account has been blocked after multiple consecutive login attempts."


@pytest.fixture
def state(client, web_app) -> str:
    """The `state` of a sign-in page (one login transaction, reusable for an hour)."""
    return hidden(client.get(location(client.get(authorize_url(web_app)))), "state")


def sign_in(client, state: str, password: str, *, email="ada@example.com", ip=IP):
    return client.post(
        "/u/login", {"state": state, "username": email, "password": password}, REMOTE_ADDR=ip
    )


def outcome(response) -> str:
    """ "signed in" (redirected on), "wrong" (the form again) or "blocked"."""
    if response.status_code == 302:
        return "signed in"
    assert response.status_code == 200
    page = text(response)
    if BLOCKED in page:
        assert "Wrong email or password" not in page
        return "blocked"
    assert "Wrong email or password." in page
    return "wrong"


def fail(client, state: str, times: int, **kwargs) -> list[str]:
    return [outcome(sign_in(client, state, WRONG, **kwargs)) for _ in range(times)]


def test_ten_failures_block_the_pair_even_for_the_right_password(client, state, end_user):
    assert fail(client, state, 9) == ["wrong"] * 9
    assert fail(client, state, 1) == ["blocked"]  # the tenth says so at once
    assert outcome(sign_in(client, state, PASSWORD)) == "blocked"
    assert fail(client, state, 1) == ["blocked"]
    # The same account from another address is not blocked.
    assert outcome(sign_in(client, state, PASSWORD, ip=OTHER_IP)) == "signed in"


def test_an_unknown_email_is_blocked_the_same_way(client, state, end_user):
    """No enumeration: failures for an email without an account count and block alike."""
    known = fail(client, state, 10)
    unknown = fail(client, state, 10, email="nobody@example.com")
    assert known == unknown == ["wrong"] * 9 + ["blocked"]
    page = text(sign_in(client, state, PASSWORD, email="nobody@example.com"))
    assert BLOCKED in page


def test_the_identifier_is_compared_without_case_or_spaces(client, state, end_user):
    fail(client, state, 5, email="ADA@example.com")
    fail(client, state, 5, email=" ada@EXAMPLE.com ")
    assert outcome(sign_in(client, state, PASSWORD)) == "blocked"


def test_a_success_resets_the_count(client, state, end_user):
    fail(client, state, 9)
    assert outcome(sign_in(client, state, PASSWORD)) == "signed in"
    assert fail(client, state, 9) == ["wrong"] * 9
    assert outcome(sign_in(client, state, PASSWORD)) == "signed in"


def test_an_allowlisted_ip_is_never_counted_or_blocked(client, state, end_user):
    brute_force.update_settings(allowlist=["203.0.113.0/24", "2001:db8::1"])
    assert fail(client, state, 12) == ["wrong"] * 12
    assert fail(client, state, 12, ip="2001:db8::1") == ["wrong"] * 12
    assert outcome(sign_in(client, state, PASSWORD)) == "signed in"
    assert not FailedLoginCount.objects.exists()
    assert fail(client, state, 10, ip=OTHER_IP)[-1] == "blocked"  # outside the list


def test_disabled_protection_counts_and_blocks_nothing(client, state, end_user):
    brute_force.update_settings(enabled=False)
    assert fail(client, state, 12) == ["wrong"] * 12
    assert not FailedLoginCount.objects.exists()
    assert outcome(sign_in(client, state, PASSWORD)) == "signed in"


def test_without_the_block_shield_nothing_is_blocked(client, state, end_user):
    brute_force.update_settings(shields=[])
    assert fail(client, state, 11)[-1] == "wrong"
    assert outcome(sign_in(client, state, PASSWORD)) == "signed in"


def test_disabling_releases_existing_blocks_and_enabling_restores_them(client, state, end_user):
    fail(client, state, 10)
    brute_force.update_settings(enabled=False)
    assert outcome(sign_in(client, state, WRONG)) == "wrong"
    brute_force.update_settings(enabled=True)
    assert outcome(sign_in(client, state, PASSWORD)) == "blocked"


def test_count_per_identifier_blocks_every_ip(client, state, end_user):
    brute_force.update_settings(mode="count_per_identifier", max_attempts=4)
    assert fail(client, state, 2) + fail(client, state, 2, ip=OTHER_IP) == ["wrong"] * 3 + [
        "blocked"
    ]
    assert outcome(sign_in(client, state, PASSWORD, ip="192.0.2.200")) == "blocked"


def test_a_lower_threshold_blocks_sooner(client, state, end_user):
    brute_force.update_settings(max_attempts=3)
    assert fail(client, state, 3) == ["wrong", "wrong", "blocked"]


def test_raising_the_threshold_releases_the_block(client, state, end_user):
    fail(client, state, 10)
    brute_force.update_settings(max_attempts=12)
    assert fail(client, state, 1) == ["wrong"]  # the eleventh failure
    assert fail(client, state, 1) == ["blocked"]  # the twelfth blocks again
    brute_force.update_settings(max_attempts=20)
    assert outcome(sign_in(client, state, PASSWORD)) == "signed in"


def test_a_block_ends_thirty_days_after_the_last_failure(client, state, end_user):
    fail(client, state, 10)
    # The rows as they would be after 30 days (the block is computed, nothing sweeps).
    FailedLoginCount.objects.update(last_failure_at=timezone.now() - dt.timedelta(days=30))
    assert outcome(sign_in(client, state, WRONG)) == "wrong"  # and it counts from 1 again
    assert FailedLoginCount.objects.get().count == 1


def test_a_password_change_releases_the_blocks(client, state, end_user):
    fail(client, state, 10)
    fail(client, state, 10, ip=OTHER_IP)
    directory.update_user(end_user, password="Brand-New-Pass-2")
    assert outcome(sign_in(client, state, "Brand-New-Pass-2")) == "signed in"
    assert outcome(sign_in(client, state, "Brand-New-Pass-2", ip=OTHER_IP)) == "signed in"
    released = LogEvent.objects.get(type="ublkdu")
    assert released.user_id == end_user.user_id
    assert released.details["via"] == "password"
    assert {block["ip"] for block in released.details["blocked_for"]} == {IP, OTHER_IP}


def test_creating_the_account_forgets_failures_counted_before_it_existed(client, state, db):
    fail(client, state, 10, email="new@example.com")
    user = directory.create_user(email="new@example.com", password="Brand-New-Pass-2")
    assert not FailedLoginCount.objects.exists()
    assert LogEvent.objects.get(type="ublkdu").user_id == user.user_id


def test_the_block_is_logged_once_as_limit_wc_without_the_password(client, state, end_user):
    fail(client, state, 12)
    sign_in(client, state, PASSWORD)
    (event,) = LogEvent.objects.filter(type="limit_wc")
    assert (event.user_name, event.ip, event.connection) == (
        "ada@example.com",
        IP,
        "Username-Password-Authentication",
    )
    assert event.client_name == "Acme Web"
    stored = json.dumps([list(row.values()) for row in LogEvent.objects.values()], default=str)
    assert WRONG not in stored and PASSWORD not in stored


def test_the_blocked_page_never_shows_the_password(client, state, end_user):
    fail(client, state, 10)
    response = sign_in(client, state, PASSWORD)
    assert PASSWORD not in text(response)
    assert response["Cache-Control"] == "no-store"


def test_no_password_reaches_the_server_log(client, state, end_user, caplog):
    caplog.set_level(logging.DEBUG)
    fail(client, state, 11)
    sign_in(client, state, PASSWORD)
    assert caplog.records  # the failures were logged
    assert WRONG not in caplog.text and PASSWORD not in caplog.text
