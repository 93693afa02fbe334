"""The console's Attack Protection page (end users' brute-force settings, staff lockouts by
django-axes), the user page's brute-force blocks with their Unblock button, and the staff
login's own lockout, through HTTP; plus axes' reset command as a subprocess."""

import logging
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from logs.models import LogEvent
from tests.conftest import ROOT
from users import brute_force, directory
from users.models import FailedLoginCount

from .conftest import HTMX, assert_full_page, assert_partial, html

STAFF_PASSWORD = "not-a-real-password"  # the staff fixture's (tests/console/conftest.py)
WRONG = "Wrong-Staff-Guess"


@pytest.fixture
def ada(db):
    return directory.create_user(email="ada@example.com", password="Correct-Horse-9")


def block(identifier: str, ip: str) -> None:
    attempt = brute_force.guard(identifier, ip)
    for _ in range(attempt.max_attempts):
        brute_force.record_failure(attempt, timezone.now())


def test_the_page_shows_the_settings_and_saves_them(staff_client):
    body = assert_full_page(staff_client.get("/attack-protection/"))
    assert "Attack Protection" in body
    assert 'name="max_attempts" value="10"' in body
    response = staff_client.post(
        "/attack-protection/",
        {
            "enabled": "on",
            "block": "on",
            "mode": "count_per_identifier",
            "max_attempts": "4",
            "allowlist": "10.0.0.0/8, 192.0.2.1\n2001:db8::/32",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/attack-protection/")
    assert brute_force.current_settings().to_dict() == {
        "enabled": True,
        "shields": ["block"],
        "allowlist": ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"],
        "mode": "count_per_identifier",
        "max_attempts": 4,
    }
    assert "Brute-force protection saved." in html(staff_client.get("/attack-protection/"))
    # Who loosened the protection, and how, is in the log.
    event = LogEvent.objects.get(description="Update brute force protection settings")
    assert (event.type, event.details["channel"]) == ("sapi", "console")
    assert event.details["changes"]["max_attempts"] == {"before": 10, "after": 4}
    assert event.details["changes"]["mode"] == {
        "before": "count_per_identifier_and_ip",
        "after": "count_per_identifier",
    }


def test_a_bad_allowlist_is_shown_and_nothing_saved(staff_client):
    response = staff_client.post(
        "/attack-protection/",
        {
            "enabled": "on",
            "block": "on",
            "mode": "count_per_identifier_and_ip",
            "max_attempts": "3",
            "allowlist": "10.0.0.1/8",
        },
        headers=HTMX,
    )
    body = assert_partial(response)
    assert "has host bits set" in body
    assert brute_force.current_settings().max_attempts == 10


def test_the_user_page_shows_blocks_and_unblock_releases_them(staff_client, ada):
    block("ada@example.com", "203.0.113.7")
    page = html(staff_client.get(f"/users/{ada.id}/details/"))
    assert "Brute-force blocks" in page and "203.0.113.7" in page
    assert f'action="/users/{ada.id}/brute-force-unblock/"' in page
    response = staff_client.post(f"/users/{ada.id}/brute-force-unblock/")
    assert (response.status_code, response["Location"]) == (302, f"/users/{ada.id}/details/")
    assert not FailedLoginCount.objects.exists()
    page = html(staff_client.get(f"/users/{ada.id}/details/"))
    assert "Released 1 brute-force block(s) of ada@example.com." in page
    assert "No brute-force blocks." in page
    event = LogEvent.objects.get(type="ublkdu")
    assert (event.user_id, event.details["via"]) == (ada.user_id, "console")
    ada.refresh_from_db()
    assert ada.blocked is False  # the admin flag is another thing


def test_unblock_needs_post_and_staff(client, staff_client, ada):
    assert staff_client.get(f"/users/{ada.id}/brute-force-unblock/").status_code == 405
    staff_client.logout()
    response = client.post(f"/users/{ada.id}/brute-force-unblock/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def login(client, password: str, username: str = "ops"):
    return client.post("/login/", {"username": username, "password": password})


def test_staff_are_locked_out_after_five_failures_then_cleared(client, staff, password_hash):
    for _ in range(4):
        assert login(client, WRONG).status_code == 200  # the form again
    locked = login(client, WRONG)
    assert locked.status_code == 429
    assert "Too many failed logins" in html(locked)
    assert login(client, STAFF_PASSWORD).status_code == 429  # even the right password
    assert WRONG not in html(locked) and STAFF_PASSWORD not in html(locked)
    # Another staff member sees the lockout, and clears it.
    other = type(staff).objects.create(
        username="lead", password=password_hash("another-password"), is_staff=True
    )
    lead = Client()
    lead.force_login(other)
    page = html(lead.get("/attack-protection/"))
    assert "ops" in page and "127.0.0.1" in page and "Locked out" in page
    attempt = AccessAttempt.objects.get(username="ops")
    assert attempt.failures_since_start == 6  # the refused right password counts too
    assert WRONG not in attempt.post_data and STAFF_PASSWORD not in attempt.post_data
    assert WRONG not in page
    response = lead.post(f"/attack-protection/staff-lockouts/{attempt.pk}/clear/")
    assert (response.status_code, response["Location"]) == (302, "/attack-protection/")
    assert not AccessAttempt.objects.exists()
    cleared = LogEvent.objects.get(description="Clear a staff login lockout")
    assert cleared.details["username"] == "ops" and cleared.details["actor"]
    response = login(client, STAFF_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_clear_all_resets_every_staff_lockout(client, staff_client, staff):
    for username in ("ops", "someone"):
        outsider = Client()
        for _ in range(5):
            login(outsider, WRONG, username)
    assert AccessAttempt.objects.count() == 2
    response = staff_client.post("/attack-protection/staff-lockouts/clear-all/")
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert "Cleared 2 failed-login record(s)." in html(staff_client.get("/attack-protection/"))
    assert (
        LogEvent.objects.get(description="Clear all staff login lockouts").details["cleared"] == 2
    )


def test_a_staff_success_resets_the_failures(client, staff):
    for _ in range(4):
        login(client, WRONG)
    assert login(client, STAFF_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, WRONG).status_code == 200


def test_axes_reset_command_clears_lockouts(cli):
    with closing(sqlite3.connect(cli.database)) as db:
        db.execute(
            "INSERT INTO axes_accessattempt (user_agent, ip_address, username, http_accept,"
            " path_info, attempt_time, get_data, post_data, failures_since_start)"
            " VALUES ('ua', '192.0.2.1', 'ops', '*/*', '/login/', '2026-01-01', '', '', 5)"
        )
        db.commit()
    result = cli.run("axes_reset")
    assert result.returncode == 0, result.stderr
    assert cli.rows("SELECT COUNT(*) FROM axes_accessattempt") == [(0,)]


def test_create_user_on_the_command_line_forgets_earlier_failures(cli):
    with closing(sqlite3.connect(cli.database)) as db:
        db.execute(
            "INSERT INTO users_failedlogincount (identifier, ip, count, last_failure_at)"
            " VALUES ('brute@example.com', '192.0.2.1', 10, ?)",
            (timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )
        db.commit()
    result = subprocess.run(
        [sys.executable, "manage.py", "create_user", "--email", "brute@example.com"],
        cwd=ROOT,
        env={**cli.env, "USER_PASSWORD": "Brute-Force-Pass-1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert cli.rows(
        "SELECT COUNT(*) FROM users_failedlogincount WHERE identifier = 'brute@example.com'"
    ) == [(0,)]


def test_no_staff_password_reaches_the_server_log(client, staff, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        login(client, WRONG)
    login(client, STAFF_PASSWORD)
    assert "AXES: User login failed" in caplog.text  # axes did log the failures
    assert WRONG not in caplog.text and STAFF_PASSWORD not in caplog.text
