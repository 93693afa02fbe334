"""The applications tests' fixtures for the code exchange and refresh tokens, shared with
the log event tests (which drive those flows over HTTP). Modules that star-import
tests/applications/front_channel_fixtures.py get that module's end_user, web_app and spa."""

from tests.applications.conftest import (  # noqa: F401 - fixtures, found by name
    end_user,
    make_code,
    offline_api,
    refresher,
    spa,
    user_session,
    web_app,
)
