"""The console's Logs page, a log event's page and the Logs tabs of the API, application and
user pages, through Django's test client: filters in a GET form (with and without htmx),
paging, the field diff, staff only, and no secret on any page."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from logs import types
from logs.events import changes, record
from logs.models import LogEvent
from tests.console.conftest import HTMX, assert_full_page, assert_partial

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
USER_ID = "auth0|0123456789abcdef01234567"
SECRET = "s3cr3t-Qm9vLXNlY3JldC12YWx1ZQ"
PASSWORD = "Hunter2-correct-horse"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def descriptions(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    results = soup.find(id="results") or soup
    return [row.find_all("td")[2].get_text() for row in results.select("table tbody tr")]


def tab_descriptions(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    panel = soup.find(id="tabpanel")
    return [row.find_all("td")[2].get_text() for row in panel.select("table tbody tr")]


@pytest.fixture
def seeded(granted_client, orders_api) -> dict:
    # Only these events: the fixtures' own changes (the client, the API) are recorded too.
    LogEvent.objects.all().delete()
    client_id = granted_client.application.client_id
    other = "o" * 32
    made = {
        "token": record(
            types.SUCCESS_CLIENT_CREDENTIALS,
            date=at(0),
            description="token for orders",
            client_id=client_id,
            client_name="Billing worker",
            audience=orders_api.identifier,
        ),
        "other_token": record(
            types.FAILED_CLIENT_CREDENTIALS,
            date=at(1),
            description="other client's failure",
            client_id=other,
        ),
        "client_change": record(
            types.SUCCESS_API_OPERATION,
            date=at(2),
            description="Update a client",
            client_id="the-api-caller",
            object_type="client",
            object_id=client_id,
            details={
                "changes": changes(
                    {"name": "Billing", "client_secret": "old-" + SECRET, "grant_types": []},
                    {
                        "name": "Billing worker",
                        "client_secret": SECRET,
                        "grant_types": ["client_credentials"],
                    },
                ),
                "request": {"method": "PATCH", "body": {"client_secret": SECRET}},
            },
        ),
        "grant_change": record(
            types.SUCCESS_API_OPERATION,
            date=at(3),
            description="Create a client grant",
            audience=orders_api.identifier,
            object_type="client_grant",
            object_id="cgr_1",
            details={"client_id": client_id},
        ),
        "sign_in": record(
            types.SUCCESS_LOGIN,
            date=at(24),
            description="signed in",
            user_id=USER_ID,
            user_name="ann@example.com",
            client_id=other,
            details={"password": PASSWORD, "id_token": TOKEN, "prompts": [{"name": "login"}]},
        ),
        "user_change": record(
            types.SUCCESS_API_OPERATION,
            date=at(48),
            description="Update a user",
            object_type="user",
            object_id=USER_ID,
            details={"changes": changes({"password": "old"}, {"password": PASSWORD})},
        ),
    }
    return {"client_id": client_id, "events": made, "api": orders_api}


def test_the_logs_page_is_in_the_navigation_and_lists_newest_first(staff_client, seeded):
    body = assert_full_page(staff_client.get("/logs/"))
    assert '<a href="/logs/" aria-current="page">Logs</a>' in body
    assert descriptions(staff_client.get("/logs/")) == [
        "Update a user",
        "signed in",
        "Create a client grant",
        "Update a client",
        "other client's failure",
        "token for orders",
    ]
    partial = assert_partial(staff_client.get("/logs/", headers=HTMX))
    assert "token for orders" in partial


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"type": "sapi"}, ["Update a user", "Create a client grant", "Update a client"]),
        (
            {"client": "{client_id}"},
            ["Create a client grant", "Update a client", "token for orders"],
        ),
        ({"user": USER_ID}, ["Update a user", "signed in"]),
        ({"audience": "https://orders.example/api"}, ["Create a client grant", "token for orders"]),
        ({"date_from": "2026-11-11", "date_to": "2026-11-11"}, ["signed in"]),
        (
            {"date_to": "2026-11-10"},
            [
                "Create a client grant",
                "Update a client",
                "other client's failure",
                "token for orders",
            ],
        ),
        ({"type": "sapi", "client": "{client_id}"}, ["Create a client grant", "Update a client"]),
        ({"q": 'description:"signed in" OR type:feccft'}, ["signed in", "other client's failure"]),
    ],
)
def test_filters_by_type_client_user_audience_and_dates(staff_client, seeded, filters, expected):
    query = urlencode({k: v.format(client_id=seeded["client_id"]) for k, v in filters.items()})
    assert descriptions(staff_client.get(f"/logs/?{query}")) == expected
    assert descriptions(staff_client.get(f"/logs/?{query}", headers=HTMX)) == expected


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("q=password:x", "Unsupported field: password"),
        ("date_from=2026-11-12&date_to=2026-11-11", "The end date is before the start date."),
        ("date_from=yesterday", "Enter a valid date."),
        ("type=zzz", "Select a valid choice."),
    ],
)
def test_a_bad_filter_shows_its_error_and_no_events(staff_client, seeded, query, error):
    response = staff_client.get(f"/logs/?{query}")
    assert response.status_code == 200
    assert error in response.content.decode()
    assert descriptions(response) == []


def test_paging_keeps_the_filters(staff_client, tenant):
    for minute in range(53):
        record(types.SUCCESS_LOGIN, date=at(minute / 60), description=f"login {minute:02d}")
    record(types.FAILED_LOGIN, date=at(2), description="not a success")
    first = staff_client.get("/logs/?type=s")
    assert descriptions(first)[:2] == ["login 52", "login 51"] and len(descriptions(first)) == 50
    soup = BeautifulSoup(first.content, "html.parser")
    following = soup.select_one('a[rel="next"]')
    assert following["href"] == "?type=s&page=2" == following["hx-get"]
    second = staff_client.get("/logs/" + following["href"])
    assert descriptions(second) == ["login 02", "login 01", "login 00"]


def test_an_event_page_shows_the_field_diff_and_the_details(staff_client, seeded):
    event = seeded["events"]["client_change"]
    response = staff_client.get(f"/logs/{event.log_id}/")
    body = assert_full_page(response)
    soup = BeautifulSoup(body, "html.parser")
    rows = [
        [cell.get_text() for cell in row.find_all(["th", "td"])]
        for row in soup.select("#changes tbody tr")
    ]
    assert rows == [
        ["client_secret", "[redacted]", "[redacted]"],
        ["grant_types", "[]", '["client_credentials"]'],
        ["name", "Billing", "Billing worker"],
    ]
    details = soup.select_one("#details").get_text()
    assert '"method": "PATCH"' in details and '"client_secret": "[redacted]"' in details
    assert '"object": {' in details and '"changes"' not in details
    assert "Success API Operation" in body
    assert_partial(staff_client.get(f"/logs/{event.log_id}/", headers=HTMX))
    assert staff_client.get("/logs/1234/").status_code == 404


def test_each_object_page_has_a_logs_tab_that_agrees_with_its_link(staff_client, seeded):
    api, client_id = seeded["api"], seeded["client_id"]
    cases = [
        (f"/apis/{api.id}/logs/", ["Create a client grant", "token for orders"]),
        (
            f"/applications/{client_id}/logs/",
            ["Create a client grant", "Update a client", "token for orders"],
        ),
    ]
    from users import directory

    user = directory.create_user(email="ann@example.com", password="Ann-12345")
    record(types.SUCCESS_LOGOUT, date=at(50), description="logged out", user_id=user.user_id)
    # Newest first: the user's creation (now) is newer than the logout at T0 + 50 h.
    cases.append((f"/users/{user.id}/logs/", ["Create a user", "logged out"]))
    for url, expected in cases:
        response = staff_client.get(url)
        assert_full_page(response)
        assert tab_descriptions(response) == expected, url
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.select_one('#tabpanel a[href^="/logs/?"]') is not None
        link = soup.select_one('#tabpanel a[href^="/logs/?"]')["href"]
        assert descriptions(staff_client.get(link)) == expected, link
        assert soup.select_one('a[aria-selected="true"]').get_text() == "Logs"
        assert_partial(staff_client.get(url, headers=HTMX))


def test_only_the_ten_most_recent_show_on_a_tab(staff_client, m2m_client):
    client_id = m2m_client.application.client_id
    LogEvent.objects.all().delete()  # the client's own creation, newer than these
    for minute in range(12):
        record(
            types.SUCCESS_CLIENT_CREDENTIALS,
            date=at(minute),
            description=f"t{minute:02d}",
            client_id=client_id,
        )
    shown = tab_descriptions(staff_client.get(f"/applications/{client_id}/logs/"))
    assert shown == [f"t{minute:02d}" for minute in range(11, 1, -1)]


def test_no_secret_on_any_logs_page_or_in_the_api(staff_client, seeded, mgmt):
    events = seeded["events"]
    pages = [
        "/logs/",
        "/logs/?type=sapi",
        f"/apis/{seeded['api'].id}/logs/",
        f"/applications/{seeded['client_id']}/logs/",
        *(f"/logs/{event.log_id}/" for event in events.values()),
    ]
    seen = "".join(staff_client.get(url).content.decode() for url in pages)
    seen += mgmt.get("/logs").content.decode()
    seen += "".join(mgmt.get(f"/logs/{e.log_id}").content.decode() for e in events.values())
    assert "[redacted]" in seen  # the secrets were there to leak
    for secret in (SECRET, PASSWORD, TOKEN, "old-" + SECRET):
        assert secret not in seen


def test_staff_only(client, seeded, django_user_model):
    user = django_user_model.objects.create_user("visitor", password=None)
    event = seeded["events"]["token"]
    urls = [
        "/logs/",
        f"/logs/{event.log_id}/",
        f"/apis/{seeded['api'].id}/logs/",
        f"/applications/{seeded['client_id']}/logs/",
    ]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith("/login/?next="), url
        assert client.get(url, headers=HTMX)["HX-Redirect"].startswith("/login/?next="), url
    client.force_login(user)
    for url in urls:
        assert client.get(url).status_code == 403, url
