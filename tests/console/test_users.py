"""The Users section: list (search, paging), Create User, the user page's Details tab (block,
unblock, delete) and Authorized applications tab (revoke). No page shows a password or its
hash; a refused form writes nothing."""

import pytest

from applications import user_grants
from applications.models import UserGrant
from users import directory, sessions
from users.models import Session, User

from .conftest import HISTORY_RESTORE, HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db

PASSWORD = "Console-Pass-1"


@pytest.fixture
def end_user(tenant) -> User:
    return directory.create_user(
        email="ann@example.com",
        password=PASSWORD,
        username="ann",
        name="Ann Smith",
        app_metadata={"plan": "gold"},
    )


def assert_no_password(body: str) -> None:
    for hashed in User.objects.values_list("password", flat=True):
        assert hashed not in body
    for digest in Session.objects.values_list("secret_digest", flat=True):
        assert digest not in body
    assert PASSWORD not in body
    assert "argon2" not in body


def test_list_full_and_partial_with_the_nav_link(staff_client, end_user):
    full = assert_full_page(staff_client.get("/users/"))
    assert '<a href="/users/" aria-current="page">Users</a>' in full
    assert "+ Create User" in full
    assert f'<a href="/users/{end_user.id}/details/"' in full
    assert "ann@example.com" in full and "Ann Smith" in full
    assert_no_password(full)
    assert "ann@example.com" in assert_partial(staff_client.get("/users/", headers=HTMX))
    assert_full_page(staff_client.get("/users/", headers=HISTORY_RESTORE))


def test_list_searches_text_and_auth0_queries(staff_client, end_user):
    other = directory.create_user(email="bob@example.org", password=PASSWORD, blocked=True)
    assert "bob@example.org" not in html(staff_client.get("/users/?q=smith"))
    assert "ann@example.com" in html(staff_client.get("/users/?q=smith"))
    blocked = html(staff_client.get("/users/?q=blocked%3Atrue", headers=HTMX))
    assert f"/users/{other.id}/details/" in blocked and end_user.id not in blocked
    refused = html(staff_client.get("/users/?q=password%3Ax"))
    assert "That query is not supported: Unsupported field" in refused
    assert "ann@example.com" not in refused
    assert "No user matches" in html(staff_client.get("/users/?q=nobody"))


def test_list_pages(staff_client, tenant, django_assert_max_num_queries):
    User.objects.bulk_create(
        User(email=f"user{n:03d}@example.com", password="!") for n in range(120)
    )
    with django_assert_max_num_queries(6):
        first = html(staff_client.get("/users/"))
    assert "Page 1 of 3" in first
    assert first.count('<td><a href="/users/') == 50
    last = html(staff_client.get("/users/?page=3"))
    assert last.count('<td><a href="/users/') == 20


def test_create_user_then_its_page(staff_client, tenant):
    page = assert_full_page(staff_client.get("/users/new/"))
    assert 'type="password"' in page
    response = staff_client.post(
        "/users/new/",
        {"email": "New@Example.com", "password": PASSWORD, "username": "", "name": ""},
    )
    created = User.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/users/{created.id}/details/"
    assert (created.email, created.name, created.username) == (
        "new@example.com",
        "new@example.com",
        None,
    )
    details = assert_full_page(staff_client.get(response["Location"]))
    assert "User new@example.com created." in details
    assert created.user_id in details
    assert_no_password(details)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "", "password": PASSWORD}, "This field is required."),
        ({"email": "not-an-email", "password": PASSWORD}, "Enter a valid email address."),
        ({"email": "a@example.com", "password": "weak"}, "PasswordStrengthError"),
        ({"email": "a@example.com", "password": ""}, "This field is required."),
        ({"email": "a@example.com", "password": PASSWORD, "username": "a b"}, "A username"),
        ({"email": "a\x00@example.com", "password": PASSWORD}, "Null characters"),
        ({"email": "a@example.com", "password": PASSWORD, "name": "x" * 301}, "at most 300"),
        ({"email": "ANN@example.com", "password": PASSWORD}, "already exists"),
        ({"email": "b@example.com", "password": PASSWORD, "username": "ann"}, "already exists"),
    ],
)
def test_create_refusals_rerender_with_errors_and_write_nothing(
    staff_client, end_user, data, error
):
    for headers in ({}, HTMX):
        response = staff_client.post("/users/new/", data, headers=headers)
        assert response.status_code == 200
        body = html(response)
        assert error in body
        assert PASSWORD not in body  # the password is never rendered back
        assert User.objects.count() == 1


def test_details_tab_full_and_partial(staff_client, end_user):
    sessions.start(end_user, ip="203.0.113.7")
    url = f"/users/{end_user.id}/details/"
    full = assert_full_page(staff_client.get(url))
    assert 'aria-selected="true">Details</a>' in full
    assert "203.0.113.7" in full
    assert "<dt>Logins</dt><dd>1</dd>" in full
    assert "<dt>Active sessions</dt><dd>1</dd>" in full
    assert "&quot;plan&quot;: &quot;gold&quot;" in full
    assert 'popovertarget="confirm-block-user"' in full
    assert 'popovertarget="confirm-delete-user"' in full
    assert_no_password(full)
    assert_no_password(assert_partial(staff_client.get(url, headers=HTMX)))
    redirect = staff_client.get(f"/users/{end_user.id}/")
    assert redirect["Location"] == url


def test_block_signs_out_and_unblock(staff_client, end_user):
    sessions.start(end_user)
    response = staff_client.post(f"/users/{end_user.id}/block/", headers=HTMX)
    assert response.status_code == 302
    assert response["Location"] == f"/users/{end_user.id}/details/"
    assert User.objects.get().blocked is True
    assert Session.objects.count() == 0
    page = html(staff_client.get(response["Location"]))
    assert "is blocked and signed out everywhere" in page
    assert "Unblock user" in page
    staff_client.post(f"/users/{end_user.id}/block/")  # idempotent
    staff_client.post(f"/users/{end_user.id}/unblock/")
    assert User.objects.get().blocked is False
    assert staff_client.get(f"/users/{end_user.id}/block/").status_code == 405


def test_delete(staff_client, end_user):
    response = staff_client.post(f"/users/{end_user.id}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/users/"
    assert not User.objects.exists()
    assert "User ann@example.com deleted." in html(staff_client.get("/users/"))
    assert staff_client.post(f"/users/{end_user.id}/delete/").status_code == 404
    assert staff_client.get(f"/users/{end_user.id}/details/").status_code == 404


def test_authorized_applications_tab_and_revoke(staff_client, end_user, granted_client, orders_api):
    grant = user_grants.record(
        end_user, granted_client.application, orders_api.identifier, ["read:orders"]
    )
    url = f"/users/{end_user.id}/applications/"
    full = assert_full_page(staff_client.get(url))
    assert 'aria-selected="true">Authorized applications</a>' in full
    assert "Billing worker" in full and "<code>read:orders</code>" in full
    assert f"Revoke Billing worker at {orders_api.identifier}</button>" in full
    assert_no_password(full)
    assert "Billing worker" in assert_partial(staff_client.get(url, headers=HTMX))
    revoke = f"/users/{end_user.id}/applications/{grant.id}/revoke/"
    assert staff_client.get(revoke).status_code == 405
    response = staff_client.post(revoke)
    assert response.status_code == 302
    assert response["Location"] == url
    assert not UserGrant.objects.exists()
    after = html(staff_client.get(url))
    assert "Revoked Billing worker" in after
    assert "has not authorized any application yet" in after
    assert staff_client.post(revoke).status_code == 404


def test_a_grant_of_another_user_cannot_be_revoked_through_this_one(
    staff_client, end_user, granted_client, orders_api
):
    other = directory.create_user(email="bob@example.org", password=PASSWORD)
    grant = user_grants.record(other, granted_client.application, orders_api.identifier, [])
    response = staff_client.post(f"/users/{end_user.id}/applications/{grant.id}/revoke/")
    assert response.status_code == 404
    assert UserGrant.objects.filter(pk=grant.pk).exists()


def test_an_end_user_session_is_no_console_login(client, end_user):
    from users.session_cookie import COOKIE_NAME

    _, secret = sessions.start(end_user)
    client.cookies[COOKIE_NAME] = secret
    response = client.get("/users/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
