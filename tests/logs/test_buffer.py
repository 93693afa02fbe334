"""logs/events.py and logs/buffer.py: what is stored, what is scrubbed, and the buffer that
the token endpoint writes through."""

import datetime as dt

import pytest
from django.test import RequestFactory

from logs import buffer, events, types
from logs.models import LogEvent

pytestmark = pytest.mark.django_db


def test_record_stores_auth0_fields_and_scrubs_secrets_in_details():
    events.record(
        types.SUCCESS_API_OPERATION,
        description="Update a client",
        client_id="c" * 32,
        object_type="client",
        object_id="c" * 32,
        details={
            "request": {"body": {"client_secret": "s3cr3t-value", "name": "New"}},
            "changes": events.changes({"name": "Old"}, {"name": "New"}),
            "nested": [{"password": "hunter2"}, {"refresh_token": "rt-value"}],
            "refresh_token": {"rotation_type": "rotating"},
        },
    )
    stored = LogEvent.objects.get()
    assert stored.type == "sapi"
    assert stored.log_id.isdigit() and len(stored.log_id) == 28
    assert stored.details["request"]["body"] == {"client_secret": "[redacted]", "name": "New"}
    assert stored.details["changes"] == {"name": {"before": "Old", "after": "New"}}
    assert stored.details["nested"] == [{"password": "[redacted]"}, {"refresh_token": "[redacted]"}]
    # A client's refresh-token settings are configuration, not a token.
    assert stored.details["refresh_token"] == {"rotation_type": "rotating"}
    assert stored.details["object"] == {"type": "client", "id": "c" * 32}
    for secret in ("s3cr3t-value", "hunter2", "rt-value"):
        assert secret not in str(stored.details)


def test_a_changed_secret_shows_that_it_changed_never_what_it_is():
    diff = events.changes({"client_secret_digest": "old-digest"}, {"client_secret_digest": "new"})
    assert diff == {"client_secret_digest": {"before": "[redacted]", "after": "[redacted]"}}


def test_unknown_type_is_refused():
    with pytest.raises(ValueError, match="unknown log event type"):
        events.record("not-a-code")
    assert LogEvent.objects.count() == 0


def test_log_ids_sort_by_time():
    first = events.record(types.SUCCESS_LOGIN)
    second = events.record(types.SUCCESS_LOGIN)
    assert first.log_id < second.log_id


def test_logging_off_records_nothing(settings):
    settings.LOG_EVENTS = False
    events.record(types.SUCCESS_LOGIN)
    events.enqueue(types.SUCCESS_CLIENT_CREDENTIALS)
    assert LogEvent.objects.count() == 0


def test_request_fields_take_the_socket_address_unless_proxies_are_trusted(settings):
    def request():
        return RequestFactory().get(
            "/",
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
            HTTP_USER_AGENT="curl/8",
        )

    assert events.request_fields(request())["ip"] == "10.0.0.5"
    settings.TRUSTED_PROXY_HOPS = 1
    assert events.request_fields(request()) == {
        "ip": "203.0.113.9",
        "user_agent": "curl/8",
        "hostname": "testserver",
    }
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="nope")
    assert events.request_fields(garbage)["ip"] == ""


@pytest.mark.django_db(transaction=True)
def test_buffered_events_wait_for_the_flush_then_are_all_written(settings):
    settings.LOG_EVENTS_FLUSH_SECONDS = 3600  # the writer thread never wakes in this test
    when = dt.datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=dt.UTC)
    for number in range(5):
        events.enqueue(
            types.SUCCESS_CLIENT_CREDENTIALS,
            date=when,
            client_id=f"client-{number}",
            details={"grant_type": "client_credentials", "n": number, "note": "caf\u00e9\t\\"},
        )
    assert LogEvent.objects.count() == 0
    assert buffer.pending() == 5
    # Several at once: on PostgreSQL through COPY, elsewhere batched INSERTs.
    assert buffer.flush() == 5
    assert buffer.pending() == 0
    stored = LogEvent.objects.order_by("client_id")
    assert [(event.client_id, event.date, event.details) for event in stored] == [
        (
            f"client-{number}",
            when,
            {"grant_type": "client_credentials", "n": number, "note": "caf\u00e9\t\\"},
        )
        for number in range(5)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_full_buffer_drops_the_oldest(settings, monkeypatch, caplog):
    settings.LOG_EVENTS_FLUSH_SECONDS = 3600
    monkeypatch.setattr(buffer, "MAX_PENDING", 3)
    for number in range(5):
        events.enqueue(types.SUCCESS_CLIENT_CREDENTIALS, client_id=f"client-{number}")
    assert buffer.flush() == 3
    assert sorted(LogEvent.objects.values_list("client_id", flat=True)) == [
        "client-2",
        "client-3",
        "client-4",
    ]
    assert "oldest log events dropped" in caplog.text
