"""The Django admin for users: support staff list, search, block and unblock; no page shows
a password hash or a session's secret digest, and nothing can be edited or added there."""

import pytest

from tests.conftest import admin_pages, assert_no_secret_on
from users import directory, sessions
from users.models import Session, User

pytestmark = pytest.mark.django_db

PASSWORD = "Admin-Visible-1"


@pytest.fixture
def people(tenant) -> list[User]:
    ann = directory.create_user(email="ann@example.com", password=PASSWORD, username="ann")
    bob = directory.create_user(email="bob@example.org", password=PASSWORD, name="Bob Jones")
    sessions.start(ann, ip="203.0.113.9")
    sessions.start(bob)
    return [ann, bob]


def secrets_of_users() -> list[str]:
    return [
        PASSWORD,
        *User.objects.values_list("password", flat=True),
        *Session.objects.values_list("secret_digest", flat=True),
        "argon2",
    ]


def test_no_hash_or_session_secret_on_any_user_admin_page(admin_client, people):
    pages = [*admin_pages(User), "/admin/users/user/?q=ann", "/admin/users/user/?blocked__exact=0"]
    assert_no_secret_on(admin_client, pages, secrets_of_users())
    change = admin_client.get(f"/admin/users/user/{people[0].pk}/change/").content.decode()
    assert "203.0.113.9" in change  # the sessions inline
    assert 'name="password"' not in change


def test_search_finds_by_email_username_and_name(admin_client, people):
    body = admin_client.get("/admin/users/user/?q=jones").content.decode()
    assert "bob@example.org" in body and "ann@example.com" not in body


def test_block_and_unblock_actions_end_sessions(admin_client, people):
    ann, bob = people
    response = admin_client.post(
        "/admin/users/user/", {"action": "block", "_selected_action": [ann.pk]}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=ann.pk).blocked is True
    assert not Session.objects.filter(user=ann).exists()
    assert Session.objects.filter(user=bob).exists()
    admin_client.post("/admin/users/user/", {"action": "unblock", "_selected_action": [ann.pk]})
    assert User.objects.get(pk=ann.pk).blocked is False


def test_nothing_is_edited_added_or_deleted_in_the_admin(admin_client, people):
    ann = people[0]
    before = User.objects.get(pk=ann.pk).password
    admin_client.post(
        f"/admin/users/user/{ann.pk}/change/",
        {"email": "evil@example.com", "password": "x", "blocked": "on"},
    )
    after = User.objects.get(pk=ann.pk)
    assert (after.email, after.password, after.blocked) == ("ann@example.com", before, False)
    assert admin_client.get("/admin/users/user/add/").status_code == 403
    assert admin_client.post(f"/admin/users/user/{ann.pk}/delete/").status_code == 403
    assert User.objects.count() == 2


def test_a_nul_in_the_id_is_no_object(admin_client, people):
    response = admin_client.get("/admin/users/user/a%00b/change/")
    assert response.status_code == 302
