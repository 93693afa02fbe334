"""The OpenAPI document's restated limits are the domain's own, and every route is in it."""

import re

from django.urls import URLPattern

from apis import models as api_models
from applications import models as app_models
from config import api_urls
from keys import management_schemas as schemas
from keys.management_openapi import document


def test_restated_domain_limits_match_the_models():
    assert schemas.MAX_TOKEN_LIFETIME == api_models.MAX_TOKEN_LIFETIME
    assert schemas.SCOPE_PATTERN == api_models.SCOPE_PATTERN
    assert schemas.SIGNING_ALGS == list(api_models.SigningAlg.values)
    assert set(schemas.APP_TYPES) == set(app_models.AppType.values)
    assert schemas.GRANT_TYPES == list(app_models.KNOWN_GRANT_TYPES)
    assert set(schemas.AUTH_METHODS) == set(app_models.TokenEndpointAuthMethod.values)
    # Auth0's name pattern, plus NUL (which PostgreSQL cannot store).
    assert schemas.NAME_PATTERN == r"^[^<>\u0000]+$"
    assert api_models.NAME_PATTERN == r"^[^<>]+$"
    assert schemas.KID_PATTERN == r"^[A-Za-z0-9_-]{43}$"
    assert schemas.CLIENT_ID_PATTERN == r"^[A-Za-z0-9]{1,64}$"
    assert re.fullmatch(schemas.GRANT_ID_PATTERN, app_models.new_grant_id())
    assert re.fullmatch(schemas.CLIENT_ID_PATTERN, app_models.new_client_id())


def _documented(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", route)


def test_every_route_and_method_is_documented():
    paths = document()["paths"]
    documented = {(path, method.upper()) for path, ops in paths.items() for method in ops}
    routed = set()
    renames = {"{ref}": "{id}", "{client_id}": "{id}", "{grant_id}": "{id}"}
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for method in getattr(pattern.callback, "scopes_by_method", {}):
            path = _documented(str(pattern.pattern))
            for old, new in renames.items():
                path = path.replace(old, new)
            routed.add((path, method))
    assert routed == documented


def test_every_operation_documents_its_scopes_and_errors():
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            assert operation["x-required-scopes"], (path, method)
            assert {"400", "401", "403"} <= set(operation["responses"]), (path, method)
            if "{" in path:
                assert "404" in operation["responses"] or method == "delete", (path, method)
