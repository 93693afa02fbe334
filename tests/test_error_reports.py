"""Error reports (Django's DEBUG 500 page, admin emails) never show a secret: no frame's local
values, no POST values, no Authorization header (config/error_reports.py)."""

import base64
import sys

import pytest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from applications import credentials

SECRET = "client-secret-" + "Zq8" * 16


def _failure_holding_the_secret():
    """A real exception raised inside Gatehouse's code while a frame holds the secret."""
    try:
        credentials.verify_secret(SECRET, None)  # a digest that is not a string: TypeError
    except TypeError:
        return sys.exc_info()
    raise AssertionError("verify_secret accepted a missing digest")


@pytest.fixture
def failed_token_request(rf):
    request = rf.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_secret": SECRET},
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"id:{SECRET}".encode()).decode(),
    )
    return request, _failure_holding_the_secret()


@pytest.mark.parametrize("debug", [True, False])
def test_error_reports_hide_every_local_post_value_and_credential(
    failed_token_request, settings, debug
):
    settings.DEBUG = debug
    request, exc_info = failed_token_request
    reporter = ExceptionReporter(request, *exc_info)
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    for report in (html, text):
        assert SECRET not in report
        assert base64.b64encode(f"id:{SECRET}".encode()).decode() not in report
        # The traceback itself is still there: where it failed, and the variable names.
        assert "verify_secret" in report
        assert "client_secret" in report
    frames = {frame["function"]: frame for frame in reporter.get_traceback_data()["frames"]}
    shown = dict(frames["verify_secret"]["vars"])
    assert set(shown) == {"secret", "digest"}
    assert set(shown.values()) == {"'********************'"}


def test_djangos_own_filter_would_have_shown_the_secret(failed_token_request, settings):
    # The control: under DEBUG, Django's default filter steps aside and the secret shows.
    settings.DEBUG = True
    request, exc_info = failed_token_request
    request.exception_reporter_filter = SafeExceptionReporterFilter()
    assert SECRET in ExceptionReporter(request, *exc_info).get_traceback_html()
