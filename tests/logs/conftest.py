"""Fixtures for the log event tests: the events a step adds, and a Management API client."""

from collections.abc import Callable

import pytest

from logs.models import LogEvent
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token


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


@pytest.fixture
def mgmt(client, tenant) -> Mgmt:
    return Mgmt(client, management_token(tenant, ALL_SCOPES))
