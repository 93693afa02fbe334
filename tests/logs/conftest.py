"""Fixtures the log tests share with other suites: the applications tests' code-exchange and
refresh-token fixtures (the event tests drive those flows over HTTP), and the Management API's
token and the console's staff client (for the logs endpoints and pages). Modules that
star-import tests/applications/front_channel_fixtures.py get that module's end_user, web_app
and spa."""

from tests.applications.conftest import (  # noqa: F401 - fixtures, found by name
    end_user,
    make_code,
    offline_api,
    refresher,
    spa,
    user_session,
    web_app,
)
from tests.console.conftest import staff, staff_client  # noqa: F401
from tests.management_api.conftest import mgmt, mgmt_token  # noqa: F401
