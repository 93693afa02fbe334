"""The API page's Test tab (mints through applications/oauth.py) and the Quick Start's
Python snippet, which must really verify a token against the served JWKS."""

import datetime as dt
import html as htmllib
import json
import re

import jwt
import pytest

from apis import resource_servers
from applications import clients, oauth

from .conftest import HTMX, assert_full_page, assert_partial, html

TOKEN_RE = re.compile(r'<code id="test-token">([^<]+)</code>')


def _code(body: str, element_id: str) -> str:
    match = re.search(rf'<code id="{element_id}"[^>]*>(.*?)</code>', body, re.S)
    assert match, element_id
    return htmllib.unescape(match.group(1))


@pytest.mark.django_db
def test_without_authorized_application_it_explains_how(staff_client, orders_api, m2m_client):
    body = assert_full_page(staff_client.get(f"/apis/{orders_api.id}/test/"))
    assert "No application is authorized for Orders yet" in body
    assert f'href="/apis/{orders_api.id}/applications/"' in body
    assert "Get a test token" not in body


@pytest.mark.django_db
def test_shows_the_request_with_a_placeholder_secret(staff_client, orders_api, granted_client):
    body = assert_full_page(staff_client.get(f"/apis/{orders_api.id}/test/"))
    curl = _code(body, "request-curl")
    assert "--url http://127.0.0.1:8000/oauth/token" in curl
    assert f"client_id={granted_client.client_id}" in curl
    assert "client_secret=YOUR_CLIENT_SECRET" in curl
    assert granted_client.secret not in body
    assert "audience=https://orders.example/api" in curl
    assert f'"client_id": "{granted_client.client_id}"' in _code(body, "request-python")
    assert "new URLSearchParams" in _code(body, "request-node")


@pytest.mark.django_db
def test_mints_a_token_with_exactly_the_granted_scope(staff_client, orders_api, m2m_client):
    clients.authorize(m2m_client.application, orders_api, ["write:orders"])
    response = staff_client.post(
        f"/apis/{orders_api.id}/test/", {"client": m2m_client.client_id}, headers=HTMX
    )
    body = assert_partial(response)
    assert "no-store" in response["Cache-Control"]
    assert 'hx-history="false"' in body
    (token,) = TOKEN_RE.findall(body)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["scope"] == "write:orders"
    assert claims["aud"] == "https://orders.example/api"
    assert claims["sub"] == f"{m2m_client.client_id}@clients"
    payload = json.loads(_code(body, "test-payload"))
    assert payload == claims
    assert json.loads(_code(body, "test-header"))["alg"] == "RS256"
    response_json = json.loads(_code(body, "test-response"))
    assert response_json["scope"] == "write:orders" and response_json["token_type"] == "Bearer"
    kid = jwt.get_unverified_header(token)["kid"]
    assert f"✓ Signature verified against the published JWKS with key <code>{kid}</code>" in body

    def date(ts: int) -> str:
        return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    assert f"<dt>Issued at (iat)</dt><dd>{date(claims['iat'])}</dd>" in body
    assert f"<dt>Expires (exp)</dt><dd>{date(claims['exp'])} — in " in body


@pytest.mark.django_db
def test_hs256_api_token_verifies_with_its_secret(staff_client, hs256_api, m2m_client):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    body = html(
        staff_client.post(f"/apis/{hs256_api.api.id}/test/", {"client": m2m_client.client_id})
    )
    (token,) = TOKEN_RE.findall(body)
    jwt.decode(token, hs256_api.secret, algorithms=["HS256"], audience="https://ledger.example/")
    assert "✓ Signature verified with this API's HS256 secret" in body
    assert hs256_api.secret not in body


@pytest.mark.django_db
def test_refusals_are_shown_not_hidden(staff_client, orders_api, granted_client):
    clients.update_application(granted_client.application, grant_types=[])
    body = html(
        staff_client.post(f"/apis/{orders_api.id}/test/", {"client": granted_client.client_id})
    )
    assert "The token request was refused" in body
    assert "unauthorized_client" in body
    assert not TOKEN_RE.findall(body)
    unknown = html(staff_client.post(f"/apis/{orders_api.id}/test/", {"client": "nobody"}))
    assert 'id="id_client_error"' in unknown and not TOKEN_RE.findall(unknown)


def test_quick_start_python_snippet_verifies_a_token_from_the_live_jwks(
    live_server, settings, client, granted_client, orders_api, staff
):
    settings.PUBLIC_URL = live_server.url
    settings.ISSUER = live_server.url + "/"
    settings.JWKS_URI = live_server.url + "/.well-known/jwks.json"
    client.force_login(staff)
    body = html(client.get(f"/apis/{orders_api.id}/quickstart/"))
    snippet = _code(body, "quickstart-python")
    assert f'JWKS_URL = "{live_server.url}/.well-known/jwks.json"' in snippet
    namespace: dict = {}
    exec(compile(snippet, "quickstart.py", "exec"), namespace)  # noqa: S102

    token = oauth.issue_token(granted_client.client_id, orders_api.identifier).access_token
    claims = namespace["verify"](token)
    assert claims["aud"] == "https://orders.example/api"
    assert claims["scope"] == "read:orders write:orders"

    # The snippet checks what it should: another API's token is refused.
    other, _ = resource_servers.create_api(name="Other", identifier="https://other.example/")
    clients.authorize(granted_client.application, other, [])
    foreign = oauth.issue_token(granted_client.client_id, other.identifier).access_token
    with pytest.raises(jwt.InvalidAudienceError):
        namespace["verify"](foreign)


@pytest.mark.django_db
def test_show_request_picks_another_application_without_minting(
    staff_client, orders_api, granted_client
):
    other, _ = clients.create_application(name="Another worker")
    clients.authorize(other, orders_api, ["read:orders"])
    response = staff_client.post(
        f"/apis/{orders_api.id}/test/", {"client": other.client_id, "action": "show"}
    )
    body = html(response)
    assert f"client_id={other.client_id}" in _code(body, "request-curl")
    assert f'<option value="{other.client_id}" selected>' in body
    assert not TOKEN_RE.findall(body)
