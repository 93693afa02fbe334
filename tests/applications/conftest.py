"""Fixtures for the token endpoint tests: a way to POST /oauth/token as a client would."""

import base64
import json
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient

TokenPost = Callable[..., HttpResponse]


def basic_header(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


@pytest.fixture
def post_token(client: HttpClient) -> TokenPost:
    """POST /oauth/token with `params` form-encoded (or as JSON with as_json=True).

    `params` may be a dict or a list of pairs (to repeat a parameter); `authorization`
    sets the Authorization header as sent.
    """

    def post(
        params: dict | list | None = None,
        *,
        as_json: bool = False,
        authorization: str | None = None,
    ) -> HttpResponse:
        headers = {"Authorization": authorization} if authorization is not None else {}
        if as_json:
            body = json.dumps(params)
            content_type = "application/json"
        else:
            body = urlencode(params or {})
            content_type = "application/x-www-form-urlencoded"
        return client.post("/oauth/token", body, content_type=content_type, headers=headers)

    return post
