"""Django admin for signing keys: the list and change pages (with search and filters) as a
superuser show no secret or private key, and no key can be added, edited or deleted there."""

import pytest

from keys.models import KeyState, SigningKey
from tests.conftest import admin_pages, assert_no_secret_on


def test_no_secret_on_any_signing_key_admin_page(admin_client, everything):
    assert_no_secret_on(admin_client, admin_pages(SigningKey), everything)


@pytest.mark.parametrize(
    "query",
    [
        "/admin/keys/signingkey/?state__exact=current",
        "/admin/keys/signingkey/?q=",
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
