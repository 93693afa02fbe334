"""Authorizing Machine to Machine applications for an API, from the API's tab and from the
application's APIs tab (the same grant form posts from both)."""

import re

import pytest

from apis.models import Api
from applications import clients
from applications.models import Application, ClientGrant

from .conftest import HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db


def _granted(application, api):
    grant = ClientGrant.objects.filter(application=application, api=api).first()
    return None if grant is None else sorted(grant.scopes.values_list("value", flat=True))


def test_api_tab_lists_client_credentials_apps_only(staff_client, orders_api, m2m_client):
    clients.create_application(name="Browser app", app_type="spa")
    url = f"/apis/{orders_api.id}/applications/"
    body = assert_full_page(staff_client.get(url))
    assert "Billing worker" in body and "Browser app" not in body
    assert 'role="switch" aria-checked="false"' in body
    assert_partial(staff_client.get(url, headers=HTMX))


def test_api_tab_empty_state(staff_client, orders_api):
    body = html(staff_client.get(f"/apis/{orders_api.id}/applications/"))
    assert "No Machine to Machine applications yet." in body


def test_authorize_then_pick_scopes_then_revoke(staff_client, orders_api, m2m_client):
    app = m2m_client.application
    tab = f"/apis/{orders_api.id}/applications/"
    grant_url = f"/applications/{app.client_id}/apis/{orders_api.id}/grant/"
    assert f'action="{grant_url}"' in html(staff_client.get(tab))

    response = staff_client.post(grant_url, {"authorized": "on", "next": tab})
    assert response.status_code == 302 and response["Location"] == tab
    assert _granted(app, orders_api) == []
    body = html(staff_client.get(tab))
    assert "Billing worker is authorized for Orders with no scopes." in body
    assert 'role="switch" aria-checked="true"' in body
    assert 'name="scopes" value="read:orders">' in body  # offered, not yet ticked

    staff_client.post(grant_url, {"authorized": "on", "scopes": ["read:orders"], "next": tab})
    assert _granted(app, orders_api) == ["read:orders"]
    body = html(staff_client.get(tab))
    assert "Billing worker is authorized for Orders with read:orders." in body
    assert 'name="scopes" value="read:orders" checked>' in body
    assert 'name="scopes" value="write:orders">' in body

    staff_client.post(grant_url, {"authorized": "", "next": tab})
    assert _granted(app, orders_api) is None
    assert "Billing worker is no longer authorized for Orders." in html(staff_client.get(tab))


def test_htmx_grant_update_follows_redirect_to_the_partial(staff_client, orders_api, m2m_client):
    app = m2m_client.application
    tab = f"/apis/{orders_api.id}/applications/"
    response = staff_client.post(
        f"/applications/{app.client_id}/apis/{orders_api.id}/grant/",
        {"authorized": "on", "scopes": ["write:orders"], "next": tab},
        headers=HTMX,
        follow=True,
    )
    body = assert_partial(response)
    assert response.redirect_chain == [(tab, 302)]
    assert 'name="scopes" value="write:orders" checked>' in body


def test_unknown_scope_changes_nothing(staff_client, orders_api, granted_client):
    app = granted_client.application
    tab = f"/apis/{orders_api.id}/applications/"
    response = staff_client.post(
        f"/applications/{app.client_id}/apis/{orders_api.id}/grant/",
        {"authorized": "on", "scopes": ["delete:everything"], "next": tab},
    )
    assert response.status_code == 302
    assert _granted(app, orders_api) == ["read:orders", "write:orders"]
    assert "nothing was changed" in html(staff_client.get(tab))


def test_next_must_stay_on_this_site(staff_client, orders_api, m2m_client):
    app = m2m_client.application
    response = staff_client.post(
        f"/applications/{app.client_id}/apis/{orders_api.id}/grant/",
        {"authorized": "on", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/applications/{app.client_id}/apis/"


def test_application_apis_tab_edits_the_same_grant(
    staff_client, orders_api, hs256_api, granted_client
):
    app = granted_client.application
    url = f"/applications/{app.client_id}/apis/"
    body = assert_full_page(staff_client.get(url))
    assert 'aria-selected="true">APIs</a>' in body
    assert "Orders" in body and "Ledger" in body and "Gatehouse Management API" in body
    assert 'name="scopes" value="read:orders" checked>' in body
    staff_client.post(
        f"/applications/{app.client_id}/apis/{hs256_api.api.id}/grant/",
        {"authorized": "on", "scopes": ["read:ledger"], "next": url},
    )
    assert _granted(app, hs256_api.api) == ["read:ledger"]
    api_tab = html(staff_client.get(f"/apis/{hs256_api.api.id}/applications/"))
    assert 'name="scopes" value="read:ledger" checked>' in api_tab


def test_grant_tabs_query_count_is_bounded(staff_client, orders_api, django_assert_max_num_queries):
    apps = Application.objects.bulk_create(
        Application(name=f"Job {n:04d}", secret_digest="0" * 64, grant_types="client_credentials")
        for n in range(120)
    )
    for application in Application.objects.all()[:60]:
        clients.authorize(application, orders_api, ["read:orders"])
    with django_assert_max_num_queries(9):
        body = html(staff_client.get(f"/apis/{orders_api.id}/applications/"))
    assert body.count('class="grant-card') == 50
    assert "Page 1 of 3" in body
    with django_assert_max_num_queries(9):
        staff_client.get(f"/applications/{apps[0].client_id}/apis/")


def test_application_apis_tab_lists_authorized_apis_first(staff_client, m2m_client):
    Api.objects.bulk_create(
        Api(name=f"Api {n:03d}", identifier=f"https://api{n:03d}.example/") for n in range(80)
    )
    last = Api.objects.get(name="Api 079")
    clients.authorize(m2m_client.application, last, [])
    body = html(staff_client.get(f"/applications/{m2m_client.client_id}/apis/"))
    assert "Page 1 of 2" in body
    titles = re.findall(r'<h3 id="grant-[^"]+-title"><a href="[^"]+">([^<]+)</a>', body)
    assert titles[:3] == ["Api 079", "Gatehouse Management API", "Api 000"]


def test_api_tab_lists_authorized_applications_first(staff_client, orders_api):
    Application.objects.bulk_create(
        Application(name=f"Job {n:03d}", secret_digest="0" * 64, grant_types="client_credentials")
        for n in range(70)
    )
    clients.authorize(Application.objects.get(name="Job 069"), orders_api, ["read:orders"])
    body = html(staff_client.get(f"/apis/{orders_api.id}/applications/"))
    titles = re.findall(r'<h3 id="grant-[^"]+-title"><a href="[^"]+">([^<]+)</a>', body)
    assert titles[:2] == ["Job 069", "Job 000"]


@pytest.mark.parametrize(
    "next_value",
    [
        "foo",
        "home",
        "0",
        "é",
        "1e5",
        "a\r\nb",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
    ],
)
def test_a_next_that_is_not_a_local_path_goes_to_the_applications_apis_tab(
    staff_client, orders_api, m2m_client, next_value
):
    # A bare word was taken by redirect() for a view name: "foo" was a 500 after the change
    # was saved, and "home" went to the console's home page.
    app = m2m_client.application
    response = staff_client.post(
        f"/applications/{app.client_id}/apis/{orders_api.id}/grant/",
        {"authorized": "on", "scopes": ["read:orders"], "next": next_value},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{app.client_id}/apis/"
    assert _granted(app, orders_api) == ["read:orders"]
