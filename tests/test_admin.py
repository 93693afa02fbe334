"""The Django admin site as a whole: its index shows no secret or private key, and only a
signed-in staff user gets in. Each app's admin pages are tested under tests/<app>/."""

from tests.conftest import assert_no_secret_on


def test_no_secret_on_the_admin_index(admin_client, everything):
    assert_no_secret_on(admin_client, ["/admin/"], everything)


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
