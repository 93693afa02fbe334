"""Django admin for applications and client grants: the list and change pages (with search
and filters) as a superuser show no secret or private key."""

import pytest

from applications.models import Application, ClientGrant
from tests.conftest import admin_pages, assert_no_secret_on


def test_no_secret_on_any_application_or_grant_admin_page(admin_client, everything):
    assert_no_secret_on(admin_client, admin_pages(Application, ClientGrant), everything)


@pytest.mark.parametrize(
    "query",
    [
        "/admin/applications/application/?q=Billing",
        "/admin/applications/application/?app_type__exact=non_interactive",
        "/admin/applications/clientgrant/?q=orders",
    ],
)
def test_search_and_filters(admin_client, everything, query):
    response = admin_client.get(query)

    assert response.status_code == 200
    assert b"errornote" not in response.content


@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_a_grant_id_with_a_nul_is_no_object_not_a_500(admin_client, granted_client, page):
    # PostgreSQL refuses to compare text with NUL; the admin must not ask it to.
    response = admin_client.get(f"/admin/applications/clientgrant/cgr_x%00/{page}/")
    assert response.status_code in (302, 404)
