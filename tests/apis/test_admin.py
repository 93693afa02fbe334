"""Django admin for APIs and scopes: the list and change pages (with search and filters) as a
superuser show no secret or private key; the system Management API and its scopes cannot be
deleted or edited there, while an ordinary API can be deleted."""

import pytest

from apis.models import Api, Scope
from apis.resource_servers import MANAGEMENT_API_SCOPES
from tests.conftest import admin_pages, assert_no_secret_on


def test_no_secret_on_any_api_or_scope_admin_page(admin_client, everything):
    assert_no_secret_on(admin_client, admin_pages(Api, Scope), everything)


@pytest.mark.parametrize(
    "query",
    [
        "/admin/apis/api/?q=orders",
        "/admin/apis/api/?signing_alg__exact=HS256",
        "/admin/apis/api/?is_system__exact=1",
        "/admin/apis/scope/?q=read",
    ],
)
def test_search_and_filters(admin_client, everything, query):
    response = admin_client.get(query)

    assert response.status_code == 200
    assert b"errornote" not in response.content


def test_system_api_cannot_be_deleted(admin_client, tenant):
    delete_page = admin_client.get(f"/admin/apis/api/{tenant.pk}/delete/")
    delete_post = admin_client.post(f"/admin/apis/api/{tenant.pk}/delete/", {"post": "yes"})

    assert delete_page.status_code == 403
    assert delete_post.status_code == 403
    assert Api.objects.filter(pk=tenant.pk).exists()


def test_system_api_cannot_be_bulk_deleted(admin_client, tenant, orders_api):
    response = admin_client.post(
        "/admin/apis/api/",
        {
            "action": "delete_selected",
            "_selected_action": [tenant.pk, orders_api.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 403
    assert Api.objects.filter(pk=tenant.pk).exists()
    assert Api.objects.filter(pk=orders_api.pk).exists()  # the whole action is refused
    assert tenant.scopes.count() == len(MANAGEMENT_API_SCOPES)


def test_system_api_scopes_cannot_be_deleted_or_edited(admin_client, tenant):
    scope = tenant.scopes.get(value="read:clients")

    delete_page = admin_client.get(f"/admin/apis/scope/{scope.pk}/delete/")
    admin_client.post(
        f"/admin/apis/scope/{scope.pk}/change/",
        {"api": tenant.pk, "value": "renamed", "description": ""},
    )

    assert delete_page.status_code == 403
    assert Scope.objects.get(pk=scope.pk).value == "read:clients"


def test_an_ordinary_api_can_be_deleted(admin_client, orders_api):
    # The control for the refusals above: deletion itself works.
    response = admin_client.post(f"/admin/apis/api/{orders_api.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Api.objects.filter(pk=orders_api.pk).exists()


@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_an_api_id_with_a_nul_is_no_object_not_a_500(admin_client, orders_api, page):
    # PostgreSQL refuses to compare text with NUL; the admin must not ask it to.
    response = admin_client.get(f"/admin/apis/api/{orders_api.pk}%00/{page}/")
    assert response.status_code in (302, 404)
    assert Api.objects.filter(pk=orders_api.pk).exists()
