"""GET /api/v2/logs and /api/v2/logs/{id}: Auth0's shapes, search, paging, checkpoints, sort,
field selection, errors and scopes, through HTTP with Django's test client."""

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings

from logs import types
from logs.events import record
from logs.models import LogEvent
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def seeded(mgmt) -> dict[str, str]:
    """Five events a day apart, oldest first, recorded through logs.events.record, and no
    others: the events of the fixtures' own changes (the tenant, the Management API client)
    are deleted first."""
    LogEvent.objects.all().delete()
    made = [
        record(
            types.SUCCESS_CLIENT_CREDENTIALS,
            date=at(0),
            description="Client Credentials for Access Token",
            client_id="c" * 32,
            client_name="Billing worker",
            ip="203.0.113.7",
            audience="https://orders.example/api",
            scope="read:orders",
            hostname="auth.example.com",
            user_agent="curl/8",
        ),
        record(types.FAILED_CLIENT_CREDENTIALS, date=at(1), client_id="c" * 32, ip="203.0.113.7"),
        record(
            types.SUCCESS_LOGIN,
            date=at(2),
            user_id="auth0|0123456789abcdef01234567",
            user_name="ann@example.com",
            connection="Username-Password-Authentication",
            client_id="d" * 32,
            client_name="Web shop",
        ),
        record(
            types.SUCCESS_API_OPERATION,
            date=at(3),
            description="Update a client",
            client_id="c" * 32,
            object_type="client",
            object_id="c" * 32,
            details={"changes": {"name": {"before": "Billing", "after": "Billing worker"}}},
        ),
        record(types.FAILED_LOGIN_PASSWORD, date=at(4), user_name="bob@example.com"),
    ]
    return {name: event.log_id for name, event in zip(("cc", "fcc", "s", "sapi", "fp"), made)}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    return [event["log_id"] for event in (body["logs"] if isinstance(body, dict) else body)]


def test_an_event_has_auth0_fields_and_omits_the_empty_ones(mgmt: Mgmt, seeded):
    response = mgmt.get(f"/logs/{seeded['cc']}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "log_id": seeded["cc"],
        "date": "2026-11-01T09:30:15.123Z",
        "type": "seccft",
        "description": "Client Credentials for Access Token",
        "client_id": "c" * 32,
        "client_name": "Billing worker",
        "ip": "203.0.113.7",
        "hostname": "auth.example.com",
        "audience": "https://orders.example/api",
        "scope": "read:orders",
        "user_agent": "curl/8",
        "isMobile": False,
    }
    bare = mgmt.get(f"/logs/{seeded['fp']}").json()
    assert bare == {
        "log_id": seeded["fp"],
        "date": "2026-11-05T09:30:15.123Z",
        "type": "fp",
        "user_name": "bob@example.com",
        "isMobile": False,
    }
    change = mgmt.get(f"/logs/{seeded['sapi']}").json()
    assert change["details"] == {
        "changes": {"name": {"before": "Billing", "after": "Billing worker"}},
        "object": {"type": "client", "id": "c" * 32},
    }


def test_list_is_newest_first_and_sorts_both_ways(mgmt: Mgmt, seeded):
    newest_first = [seeded[k] for k in ("fp", "sapi", "s", "fcc", "cc")]
    assert ids(mgmt.get("/logs")) == newest_first
    assert ids(mgmt.get("/logs?sort=date:-1")) == newest_first
    assert ids(mgmt.get("/logs?sort=date:1")) == newest_first[::-1]


def test_pages_and_totals(mgmt: Mgmt, seeded):
    assert ids(mgmt.get("/logs?per_page=2&page=1")) == [seeded["s"], seeded["fcc"]]
    assert ids(mgmt.get("/logs?per_page=2&page=3")) == []
    body = mgmt.get("/logs?per_page=2&page=2&include_totals=true").json()
    assert {k: v for k, v in body.items() if k != "logs"} == {
        "start": 4,
        "limit": 2,
        "length": 1,
        "total": 5,
    }
    assert [e["log_id"] for e in body["logs"]] == [seeded["cc"]]
    filtered = mgmt.get("/logs?" + urlencode({"q": "type:seccft", "include_totals": "true"}))
    assert filtered.json()["total"] == 1


def test_field_selection(mgmt: Mgmt, seeded):
    only = mgmt.get("/logs?fields=type,date&sort=date:1&per_page=1").json()
    assert only == [{"type": "seccft", "date": "2026-11-01T09:30:15.123Z"}]
    without = mgmt.get(f"/logs/{seeded['fp']}?fields=isMobile,log_id,date&include_fields=false")
    assert without.json() == {"type": "fp", "user_name": "bob@example.com"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("type:seccft", ["cc"]),
        ('type:"fp"', ["fp"]),
        (f"client_id:{'c' * 32}", ["sapi", "fcc", "cc"]),
        (f"client_id:{'c' * 32} AND type:feccft", ["fcc"]),
        (f"client_id:{'c' * 32} type:feccft", ["fcc"]),  # a space is AND
        ("type:s OR type:fp", ["fp", "s"]),
        ("(type:s OR type:fp) AND user_name:ann*", ["s"]),
        ('client_name:"Billing worker"', ["cc"]),
        ("client_name:billing*", []),  # case sensitive, as Auth0
        ("client_name:Bill*", ["cc"]),
        ("user_name:*", ["fp", "s"]),
        ("user_id:auth0|0123456789abcdef01234567", ["s"]),
        ('user_name:"ann@example.com"', ["s"]),
        ("ip:203.0.113.7", ["fcc", "cc"]),
        ("connection:Username-Password-Authentication", ["s"]),
        ('audience:"https://orders.example/api"', ["cc"]),
        ('description:"Update a client"', ["sapi"]),
        ("date:[2026-11-02 TO 2026-11-03]", ["s", "fcc"]),  # whole days, both ends
        ("date:[2026-11-04 TO *]", ["fp", "sapi"]),
        ("date:[* TO 2026-11-01T09:30:15.123456Z]", ["cc"]),
        ("date:[* TO 2026-11-01T09:30:15Z]", []),
        ("date:[2026-11-03T10:30:15+01:00 TO *]", ["fp", "sapi", "s"]),
        ("date:2026-11-02", ["fcc"]),
        ("  ", ["fp", "sapi", "s", "fcc", "cc"]),
    ],
)
def test_search(mgmt: Mgmt, seeded, q, expected):
    assert ids(mgmt.get("/logs?" + urlencode({"q": q}))) == [seeded[k] for k in expected]


def test_log_id_search_and_the_sdk_search_parameter(mgmt: Mgmt, seeded):
    assert ids(mgmt.get(f"/logs?q=log_id:{seeded['s']}")) == [seeded["s"]]
    assert ids(mgmt.get("/logs?search=type:fp")) == [seeded["fp"]]


@pytest.mark.parametrize(
    ("q", "detail"),
    [
        ("billing", 'A term needs a field (field:value or field:"value"): billing'),
        ("password:x", "Unsupported field: password"),
        ('type:"s', "Unbalanced quote or bracket"),
        ("(type:s", "Unbalanced parentheses: a ( is never closed"),
        ("type:s)", "Unbalanced parentheses: a ) closes nothing"),
        ("type:s AND", "The query ends where a term was expected"),
        ("NOT type:s", "NOT, -, + and ! are not supported"),
        ("-type:s", "NOT, -, + and ! are not supported"),
        ("type:s?", "Only a trailing * is supported as a wildcard"),
        ("date:[2026-11-31 TO *]", "Not an ISO 8601 date or date-time: 2026-11-31"),
        ("date:[yesterday TO *]", "Not an ISO 8601 date or date-time: yesterday"),
        ("date:[* TO 9999-12-31]", "Not an ISO 8601 date or date-time: 9999-12-31"),
        ("date:[2026-11-01]", "A date range is [A TO B]"),
        ("date:today", "date takes a day (date:2026-11-30) or a range"),
        ("type:", "Empty value for type"),
        (" OR ".join(["type:s"] * 51), "At most 50 terms"),
        ("(" * 11 + "type:s" + ")" * 11, "Parentheses nest at most 10 deep"),
        # Short, but deep enough to reach Python's recursion limit without the bound.
        ("(" * 400 + "type:s" + ")" * 400, "Parentheses nest at most 10 deep"),
    ],
)
def test_a_query_outside_the_subset_is_a_precise_400(mgmt: Mgmt, seeded, q, detail):
    response = mgmt.get("/logs?" + urlencode({"q": q}))
    assert response.status_code == 400, q
    body = response.json()
    assert body["statusCode"] == 400 and body["error"] == "Bad Request"
    assert body["errorCode"] == "invalid_query_string"
    assert body["message"].startswith(f"Query validation error: '{detail}"), body["message"]
    assert body["message"].endswith(" on property q.")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("per_page=101", "Value 101 is greater than maximum 100"),
        ("per_page=0", "Value 0 is less than minimum 1"),
        ("page=-1", "Value -1 is less than minimum 0"),
        ("take=101", "Value 101 is greater than maximum 100"),
        ("sort=type:1", 'No enum match for: "type:1"'),
        ("include_totals=yes", "Expected type boolean but found type string"),
        ("level=1", "Additional properties not allowed: level"),
        ("q=type:s&search=type:s", "Use either q or search, not both"),
        ("from=1&q=type:s", "from/take read by checkpoint and cannot be combined with q"),
        ("take=5&page=1&sort=date:1", "cannot be combined with sort, page"),
    ],
)
def test_bad_parameters_are_400(mgmt: Mgmt, seeded, query, message):
    response = mgmt.get(f"/logs?{query}")
    assert response.status_code == 400, query
    assert response.json()["errorCode"] == "invalid_query_string"
    assert message in response.json()["message"]


def _next(response) -> str:
    """The Link header's next URL, as a path under /api/v2 (it is on the tenant's URL)."""
    link = response["Link"]
    prefix = f"<{settings.PUBLIC_URL}/api/v2/logs?"
    assert link.startswith(prefix) and link.endswith('>; rel="next"'), link
    return link[len(prefix) - len("/logs?") : link.index(">")]


def test_checkpoints_read_after_a_log_id_in_log_id_order(mgmt: Mgmt, seeded):
    in_order = sorted(seeded.values())  # recorded one after the other: log_id order
    first = mgmt.get("/logs?take=2")
    assert ids(first) == in_order[:2]
    url = _next(first)
    assert parse_qs(urlsplit(url).query) == {"take": ["2"], "from": [in_order[1]]}
    second = mgmt.get(url)
    assert ids(second) == in_order[2:4]
    third = mgmt.get(_next(second))
    assert ids(third) == in_order[4:]
    # Nothing newer yet: an empty array, and the next page is this same request.
    last = _next(third)
    empty = mgmt.get(last)
    assert ids(empty) == []
    assert _next(empty) == last
    # An event recorded later is what the exporter's next poll returns.
    newer = record(types.SUCCESS_LOGOUT, user_name="ann@example.com")
    assert ids(mgmt.get(last)) == [newer.log_id]


def test_checkpoint_from_without_take_defaults_to_50_and_is_exclusive(mgmt: Mgmt, seeded):
    in_order = sorted(seeded.values())
    assert ids(mgmt.get(f"/logs?from={in_order[0]}")) == in_order[1:]
    with_fields = mgmt.get(f"/logs?from={in_order[3]}&take=1&fields=log_id")
    assert with_fields.json() == [{"log_id": in_order[4]}]
    assert parse_qs(urlsplit(_next(with_fields)).query)["fields"] == ["log_id"]


def test_unknown_or_malformed_id(mgmt: Mgmt, seeded):
    missing = mgmt.get("/logs/90020211201185132572079310688835925971249535794074878050")
    assert missing.status_code == 404
    assert missing.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "The log event does not exist.",
        "errorCode": "inexistent_log",
    }
    too_long = mgmt.get("/logs/" + "1" * 65)
    assert too_long.status_code == 400
    assert too_long.json()["errorCode"] == "invalid_uri"


def test_401_without_a_token_and_403_without_read_logs(client, tenant, seeded):
    for path in ("/logs", f"/logs/{seeded['cc']}"):
        anonymous = Mgmt(client, None).get(path)
        assert anonymous.status_code == 401
        assert anonymous.json()["message"] == "Missing authentication"
        token = management_token(tenant, [s for s in ALL_SCOPES if s != "read:logs"])
        refused = Mgmt(client, token).get(path)
        assert refused.status_code == 403
        assert refused.json() == {
            "statusCode": 403,
            "error": "Forbidden",
            "message": "Insufficient scope, expected any of: read:logs",
            "errorCode": "insufficient_scope",
        }
    reader = Mgmt(client, management_token(tenant, ["read:logs"], name="Log exporter"))
    assert reader.get("/logs").status_code == 200


def test_only_get_and_head(mgmt: Mgmt, seeded):
    response = mgmt.post("/logs", {})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert mgmt.call("HEAD", "/logs").status_code == 200
