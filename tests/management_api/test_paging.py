"""Paging ends: walking page after page (as the Auth0 SDKs do, until an empty page) or
following `next` visits every object once; queries per page do not grow with the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apis import resource_servers
from apis.resource_servers import ScopeSpec
from applications import clients
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(tenant, orders_api):
    """8 APIs in all (with the system one and Orders), 8 applications, 8 grants."""
    apis = [orders_api]
    for n in range(6):
        api, _ = resource_servers.create_api(
            name=f"API {n}", identifier=f"urn:api:{n}", scopes=[ScopeSpec("a"), ScopeSpec("b")]
        )
        apis.append(api)
    for n in range(7):
        application, _ = clients.create_application(name=f"App {n}")
        clients.create_grant(application, apis[n], ["a"] if n else ["read:orders"])


def walk(mgmt: Mgmt, path: str, plural: str | None = None) -> list[list[str]]:
    pages, page = [], 0
    while True:
        body = mgmt.get(f"{path}&page={page}").json()
        items = body[plural] if plural else body
        pages.append([item.get("id") or item.get("client_id") for item in items])
        if not items:
            return pages
        page += 1
        assert page < 20, "paging does not end"


@pytest.mark.parametrize(
    ("path", "plural"),
    [
        ("/resource-servers?per_page=3", None),
        ("/resource-servers?per_page=3&include_totals=true", "resource_servers"),
        ("/clients?per_page=3", None),
        ("/clients?per_page=3&include_totals=true", "clients"),
        ("/client-grants?per_page=3", None),
        ("/client-grants?per_page=3&include_totals=true", "client_grants"),
    ],
)
def test_page_walks_visit_everything_once_and_end_on_an_empty_page(mgmt: Mgmt, many, path, plural):
    pages = walk(mgmt, path, plural)
    assert [len(p) for p in pages] == [3, 3, 2, 0]
    seen = [item for page in pages for item in page]
    assert len(seen) == len(set(seen)) == 8
    everything = mgmt.get(path.split("?")[0] + "?per_page=100").json()
    assert {item.get("id") or item.get("client_id") for item in everything} == set(seen)


def test_totals_describe_the_page(mgmt: Mgmt, many):
    body = mgmt.get("/resource-servers?include_totals=true&page=2&per_page=3").json()
    assert (body["total"], body["start"], body["limit"], len(body["resource_servers"])) == (
        8,
        6,
        3,
        2,
    )


def test_the_default_page_is_50(mgmt: Mgmt, many):
    body = mgmt.get("/clients?include_totals=true").json()
    assert (body["start"], body["limit"]) == (0, 50)


@pytest.mark.parametrize(
    ("path", "plural", "key"),
    [("/client-grants", "client_grants", "id"), ("/clients", "clients", "client_id")],
)
def test_checkpoint_paging_follows_next_to_the_end(mgmt: Mgmt, many, path, plural, key):
    seen, sizes, cursor = [], [], None
    for _ in range(20):
        query = "take=3" + (f"&from={cursor}" if cursor else "")
        body = mgmt.get(f"{path}?{query}").json()
        sizes.append(len(body[plural]))
        seen += [item[key] for item in body[plural]]
        cursor = body.get("next")
        if cursor is None:
            break
    assert sizes == [3, 3, 2]
    assert len(seen) == len(set(seen)) == 8
    assert seen == sorted(seen)


@pytest.mark.parametrize("path", ["/clients", "/client-grants"])
def test_pages_and_checkpoints_do_not_mix(mgmt: Mgmt, many, path):
    response = mgmt.get(f"{path}?take=3&page=1")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Query validation error: 'Use either page/per_page or from/take, not both'.",
        "errorCode": "invalid_query_string",
    }


def test_the_sdk_style_checkpoint_request_answers_with_next(mgmt: Mgmt, many):
    body = mgmt.get("/client-grants?include_totals=true&take=50").json()
    assert len(body["client_grants"]) == 8
    assert "next" not in body


@pytest.mark.parametrize("path", ["/resource-servers", "/clients", "/client-grants"])
def test_queries_per_page_do_not_grow_with_the_page(mgmt: Mgmt, many, path):
    def queries(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = mgmt.get(f"{path}?per_page={per_page}&include_totals=true")
        assert response.status_code == 200
        return len(captured.captured_queries)

    assert queries(1) == queries(8)
