"""The OpenAPI document publishes every route, and each route's scopes exactly as enforced."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern

from apis.api_schemas import CONTRACT as RESOURCE_SERVERS
from config import api_urls, openapi

RENAMES = {
    "{ref}": "{id}",
    "{client_id}": "{id}",
    "{grant_id}": "{id}",
    "{user_id}": "{id}",
    "{token_id}": "{id}",
    "{session_id}": "{id}",
    "{log_id}": "{id}",
}


def _documented_path(pattern: URLPattern) -> str:
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", str(pattern.pattern))
    for old, new in RENAMES.items():
        path = path.replace(old, new)
    return path


@pytest.fixture
def served(client) -> dict:
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_every_route_and_method_is_documented(served):
    paths = served["paths"]
    documented = {(path, method.upper()) for path, ops in paths.items() for method in ops}
    routed = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for method in getattr(pattern.callback, "scopes_by_method", {}):
            routed.add((_documented_path(pattern), method))
    assert routed == documented


@pytest.mark.django_db
def test_every_route_enforces_exactly_the_scopes_the_document_publishes(served):
    checked = 0
    for pattern in api_urls.urlpatterns:
        for method, scopes in getattr(pattern.callback, "scopes_by_method", {}).items():
            operation = served["paths"][_documented_path(pattern)][method.lower()]
            assert operation["x-required-scopes"] == list(scopes.names), (pattern.name, method)
            wording = "any one of " + ", ".join(scopes.names) if scopes.any_one else None
            wording = wording or " and ".join(scopes.names)
            assert operation["description"].endswith(f"Required scope: {wording}."), pattern.name
            checked += 1
    assert checked == sum(len(ops) for ops in served["paths"].values())


@pytest.mark.django_db
def test_every_operation_documents_its_scopes_and_errors(served):
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            assert operation["x-required-scopes"], (path, method)
            assert {"400", "401", "403", "429"} <= set(operation["responses"]), (path, method)
            assert set(operation["responses"]["429"]["headers"]) == {"Retry-After"}
            if "{" in path:
                assert "404" in operation["responses"] or method == "delete", (path, method)


def test_a_route_without_a_documented_operation_stops_the_document():
    routes = [p for p in api_urls.routes if p.name != "mgmt-clients"]
    with pytest.raises(ImproperlyConfigured, match="documented paths without a route"):
        openapi.document(api_urls.CONTRACTS, routes)
    with pytest.raises(ImproperlyConfigured, match="route mgmt-clients"):
        openapi.document([RESOURCE_SERVERS], api_urls.routes)
