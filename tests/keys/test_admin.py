"""Django admin for support staff: every model's list and change pages (with search and
filters) as a superuser, with no secret or private key on any of them; what must not be
deleted cannot be deleted there."""

import pytest

from apis.models import Api, Scope
from applications import clients
from applications.models import Application, ClientGrant
from keys.models import KeyState, SigningKey
from tests.conftest import private_key_strings


@pytest.fixture
def everything(granted_client, hs256_api, orders_api):
    """One of each model, and every secret that must never reach a page."""
    clients.authorize(granted_client.application, hs256_api.api, ["read:ledger"])
    forbidden = [
        granted_client.secret,
        hs256_api.secret,
        Application.objects.get(pk=granted_client.application.pk).secret_digest,
        Api.objects.get(pk=hs256_api.api.pk).encrypted_signing_secret,
        *private_key_strings(),
    ]
    return forbidden


@pytest.fixture
def admin_client(client, django_user_model):
    """A signed-in superuser. No password: hashing one costs more than the whole test."""
    client.force_login(django_user_model.objects.create_superuser("support", password=None))
    return client


def admin_pages() -> list[str]:
    pages = []
    for model in (SigningKey, Api, Scope, Application, ClientGrant):
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(base)
        pages.extend(f"{base}{pk}/change/" for pk in model.objects.values_list("pk", flat=True))
    return pages


def test_no_secret_on_any_admin_page(admin_client, everything):
    pages = ["/admin/", *admin_pages()]
    assert len(pages) > 10

    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        for secret in everything:
            assert secret not in body, page


@pytest.mark.parametrize(
    "query",
    [
        "/admin/keys/signingkey/?state__exact=current",
        "/admin/keys/signingkey/?q=",
        "/admin/apis/api/?q=orders",
        "/admin/apis/api/?signing_alg__exact=HS256",
        "/admin/apis/api/?is_system__exact=1",
        "/admin/apis/scope/?q=read",
        "/admin/applications/application/?q=Billing",
        "/admin/applications/application/?app_type__exact=non_interactive",
        "/admin/applications/clientgrant/?q=orders",
    ],
)
def test_search_and_filters(admin_client, everything, query):
    response = admin_client.get(query)

    assert response.status_code == 200
    assert b"errornote" not in response.content


def test_current_key_cannot_be_deleted_or_added(admin_client, tenant):
    current = SigningKey.objects.get(state=KeyState.CURRENT)

    delete_page = admin_client.get(f"/admin/keys/signingkey/{current.pk}/delete/")
    delete_post = admin_client.post(f"/admin/keys/signingkey/{current.pk}/delete/", {"post": "yes"})
    add_page = admin_client.get("/admin/keys/signingkey/add/")

    assert delete_page.status_code == 403
    assert delete_post.status_code == 403
    assert add_page.status_code == 403
    assert SigningKey.objects.get(pk=current.pk).state == KeyState.CURRENT


def test_keys_cannot_be_bulk_deleted(admin_client, tenant):
    pks = list(SigningKey.objects.values_list("pk", flat=True))

    admin_client.post(
        "/admin/keys/signingkey/",
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )

    assert SigningKey.objects.count() == len(pks)


def test_key_change_page_is_read_only(admin_client, tenant):
    current = SigningKey.objects.get(state=KeyState.CURRENT)

    admin_client.post(f"/admin/keys/signingkey/{current.pk}/change/", {"state": "revoked"})

    assert SigningKey.objects.get(pk=current.pk).state == KeyState.CURRENT


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
    assert tenant.scopes.count() == 24


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


def test_admin_requires_staff(client, tenant):
    response = client.get("/admin/apis/api/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/apis/api/"


def test_admin_refuses_a_signed_in_user_who_is_not_staff(client, django_user_model, tenant):
    user = django_user_model.objects.create_user("helpdesk", password=None)
    client.force_login(user)

    response = client.get("/admin/apis/api/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/apis/api/"
