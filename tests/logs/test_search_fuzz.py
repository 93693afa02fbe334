"""Property-based fuzzing of the log search: whatever `q` holds (Lucene-looking pieces, dates,
quotes, brackets, escapes, any text), GET /api/v2/logs answers 200 or a 400
`invalid_query_string`, never a 5xx; the console's Logs page answers 200 with the filters
shown."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logs import types
from logs.events import record
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,  # no .hypothesis directory written by CI runs
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
pieces = st.sampled_from(
    [
        "type:",
        "date:",
        "client_id:",
        "user_name:",
        "log_id:",
        "nope:",
        "AND",
        "OR",
        "NOT",
        " ",
        "(",
        ")",
        '"',
        "\\",
        "*",
        "?",
        "[",
        "]",
        " TO ",
        "s",
        "2026-11-30",
        "9999-12-31",
        "0001-01-01T00:00:00+01:00",
        "2026-11-30T12:00:00Z",
        "2026-02-30",
    ]
)
queries = st.one_of(
    st.lists(pieces, max_size=12).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60),
)
day = st.one_of(st.dates().map(str), st.text(max_size=12))


@pytest.fixture
def one_event(tenant):
    return record(types.SUCCESS_LOGIN, description="x", user_name="ann@example.com")


@FUZZ
@given(q=queries)
def test_any_q_is_a_200_or_a_precise_400(mgmt: Mgmt, one_event, q):
    response = mgmt.get("/logs?" + urlencode({"q": q}))
    assert response.status_code in (200, 400), (q, response.content)
    if response.status_code == 400:
        assert response.json()["errorCode"] == "invalid_query_string"


@FUZZ
@given(q=queries, date_from=day, date_to=day)
@example(q="", date_from="0001-01-01", date_to="9999-12-31")
def test_any_console_filter_renders(staff_client, one_event, q, date_from, date_to):
    filters = {"q": q, "date_from": date_from, "date_to": date_to}
    response = staff_client.get("/logs/?" + urlencode(filters))
    assert response.status_code == 200, filters
    if (q, date_from, date_to) == ("", "0001-01-01", "9999-12-31"):
        assert b"ann@example.com" in response.content  # every day there is, both ends
