"""Fixtures for the Management API tests: tokens issued by Gatehouse itself for its own
Management API (an application authorized through the domain module, a token through the
same path /oauth/token uses), and a small JSON client over Django's test client."""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as DjangoClient

from apis.resource_servers import MANAGEMENT_API_SCOPES
from applications import clients, oauth

ALL_SCOPES = [value for value, _ in MANAGEMENT_API_SCOPES]


def management_token(tenant, scopes: list[str], name: str = "Automation") -> str:
    application, _ = clients.create_application(name=name)
    clients.authorize(application, tenant, scopes)
    return oauth.issue_token(application.client_id, settings.MANAGEMENT_API_IDENTIFIER).access_token


@dataclass
class Mgmt:
    """Requests to /api/v2/ with a bearer token; bodies are sent as JSON unless `raw`."""

    http: DjangoClient
    token: str | None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
        token: str | None = "default",
        headers: dict[str, str] | None = None,
    ):
        token = self.token if token == "default" else token
        extra = dict(headers or {})
        if token is not None:
            extra["Authorization"] = f"Bearer {token}"
        data: Any = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.http.generic(
            method, "/api/v2" + path, data, content_type=content_type, headers=extra
        )

    def get(self, path: str, **kwargs: Any):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.call("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any):
        return self.call("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def mgmt_token(tenant) -> str:
    return management_token(tenant, ALL_SCOPES)


@pytest.fixture
def mgmt(client, mgmt_token) -> Mgmt:
    return Mgmt(client, mgmt_token)
