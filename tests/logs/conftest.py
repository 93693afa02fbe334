"""Fixtures for the log tests: the events a step adds; and fixtures shared with other suites:
the applications tests' code-exchange and refresh-token fixtures (the event tests drive those
flows over HTTP), the Management API's token and client, and the console's staff client.
Modules that star-import tests/applications/front_channel_fixtures.py get that module's
end_user, web_app and spa."""

from collections.abc import Callable

import pytest

from logs.models import LogEvent
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


class NewEvents:
    """The log events written since `mark()` (or since the fixture was made), oldest first."""

    def __init__(self) -> None:
        self.mark()

    def mark(self) -> None:
        self.seen = set(LogEvent.objects.values_list("log_id", flat=True))

    def __call__(self, type: str | None = None) -> list[LogEvent]:
        events = LogEvent.objects.exclude(log_id__in=self.seen).order_by("date", "log_id")
        if type is not None:
            events = events.filter(type=type)
        return list(events)

    def one(self, type: str = "sapi") -> LogEvent:
        """The only new event of `type`, and no new event of any other type."""
        events = self()
        assert [event.type for event in events] == [type], [str(e) for e in events]
        return events[0]


@pytest.fixture
def new_events(db) -> Callable[[], NewEvents]:
    """Call it after the fixtures' own changes: `events = new_events()`."""
    return NewEvents
