"""Signing in, sessions, prompt and max_age (AUTH0_USER_FLOWS.md sections 1.6 and 2.1), and
the wall between end users and the console."""

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from applications import login_transactions
from applications.models import AuthorizationCode
from users import session_cookie
from users.models import Session

from .front_channel import (
    PASSWORD,
    WEB_CALLBACK,
    authorize_url,
    base_of,
    hidden,
    location,
    params_of,
    sign_in,
    submit_login,
    text,
)
from .front_channel_fixtures import *  # noqa: F403

COOKIE = session_cookie.COOKIE_NAME


def code_row() -> AuthorizationCode:
    return AuthorizationCode.objects.latest("created_at")


def test_a_live_session_continues_without_a_page(client, web_app, signed_in, end_user):
    url = location(client.get(authorize_url(web_app)))
    assert base_of(url) == WEB_CALLBACK
    row = code_row()
    assert (row.user, row.session_id, row.auth_time) == (
        end_user,
        signed_in.id,
        signed_in.authenticated_at,
    )
    assert Session.objects.get(pk=signed_in.pk).client_ids == [web_app.client_id]


def test_sign_in_page(client, web_app):
    page = client.get(location(client.get(authorize_url(web_app))))
    body = text(page)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["X-Frame-Options"] == "DENY"
    assert "Acme Web" in body
    assert '<label for="id_username">Email address</label>' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert "<script" not in body  # works without JavaScript: it has none


def test_sign_in_sets_a_new_session_cookie(client, web_app, end_user):
    response = submit_login(
        client, location(client.get(authorize_url(web_app))), email="ADA@Example.com"
    )
    assert base_of(location(response)) == WEB_CALLBACK
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    session = Session.objects.get()
    assert session.user == end_user and code_row().session_id == session.id
    end_user.refresh_from_db()
    assert end_user.logins_count == 1


def test_wrong_password_and_unknown_email_say_the_same(client, web_app, end_user):
    login_url = location(client.get(authorize_url(web_app)))
    pages = [
        submit_login(client, login_url, password="wrong"),
        submit_login(client, login_url, email="nobody@example.com"),
        submit_login(client, login_url, email="a\x00@example.com"),
        submit_login(client, login_url, password="x" * 5000),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "Wrong email or password." in text(page)
        assert COOKIE not in page.cookies
        assert "wrong" not in text(page).replace("Wrong", "")  # the password is not echoed
    assert not Session.objects.exists()


def test_blocked_user_is_refused_with_auth0s_error(client, web_app, end_user):
    end_user.blocked = True
    end_user.save()
    response = submit_login(client, location(client.get(authorize_url(web_app))))
    assert params_of(location(response)) == {
        "error": "unauthorized",
        "error_description": "user is blocked",
        "state": "xyz-state",
    }
    assert not Session.objects.exists()


def test_a_blocked_users_session_is_no_session(client, web_app, signed_in, end_user):
    end_user.blocked = True
    end_user.save()
    response = client.get(authorize_url(web_app, prompt="none"))
    assert params_of(location(response))["error"] == "login_required"


def test_login_csrf_is_refused(web_app, end_user):
    browser = Client(enforce_csrf_checks=True)
    login_url = location(browser.get(authorize_url(web_app)))
    page = browser.get(login_url)
    refused = browser.post(
        "/u/login",
        {"state": hidden(page, "state"), "username": "ada@example.com", "password": PASSWORD},
    )
    assert refused.status_code == 403
    assert not Session.objects.exists()
    # A page on another site cannot read the token; with it, the form works.
    accepted = browser.post(
        "/u/login",
        {
            "state": hidden(page, "state"),
            "username": "ada@example.com",
            "password": PASSWORD,
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        },
    )
    assert base_of(location(accepted)) == WEB_CALLBACK


def test_signing_in_cycles_the_session_and_the_csrf_token(client, web_app, end_user):
    from users.models import User

    other = User.objects.create(email="bob@example.com", password="!")
    old = sign_in(client, other)
    old_secret = client.cookies[COOKIE].value
    login_url = location(client.get(authorize_url(web_app, prompt="login")))
    page = client.get(login_url)
    old_csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/u/login",
        {"state": hidden(page, "state"), "username": "ada@example.com", "password": PASSWORD},
    )
    assert base_of(location(response)) == WEB_CALLBACK
    assert response.cookies[COOKIE].value != old_secret
    assert response.cookies["csrftoken"].value != old_csrf
    assert not Session.objects.filter(pk=old.pk).exists()  # the previous session ended
    assert Session.objects.get().user == end_user


def test_a_planted_cookie_is_worth_nothing(client, web_app, end_user):
    client.cookies[COOKIE] = "attacker-chosen-value"
    response = submit_login(client, location(client.get(authorize_url(web_app))))
    assert response.cookies[COOKIE].value != "attacker-chosen-value"


def test_prompt_login_asks_again_and_auth_time_is_that_sign_in(client, web_app, signed_in):
    Session.objects.filter(pk=signed_in.pk).update(
        authenticated_at=timezone.now() - dt.timedelta(hours=1)
    )
    login_url = location(client.get(authorize_url(web_app, prompt="login")))
    assert login_url.startswith("/u/login?state=")
    before = timezone.now()
    response = submit_login(client, login_url)
    assert base_of(location(response)) == WEB_CALLBACK
    assert code_row().auth_time >= before


def test_select_account_means_login(client, web_app, signed_in):
    assert location(client.get(authorize_url(web_app, prompt="select_account"))).startswith(
        "/u/login"
    )


def test_max_age(client, web_app, signed_in):
    Session.objects.filter(pk=signed_in.pk).update(
        authenticated_at=timezone.now() - dt.timedelta(seconds=120)
    )
    within = location(client.get(authorize_url(web_app, max_age="600")))
    assert base_of(within) == WEB_CALLBACK
    assert code_row().include_auth_time
    assert location(client.get(authorize_url(web_app, max_age="60"))).startswith("/u/login")
    none = client.get(authorize_url(web_app, max_age="60", prompt="none"))
    assert params_of(location(none)) == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "xyz-state",
    }
    # max_age=0 always signs in again, and the fresh sign-in then completes the flow.
    login_url = location(client.get(authorize_url(web_app, max_age="0")))
    response = submit_login(client, login_url)
    assert base_of(location(response)) == WEB_CALLBACK
    assert code_row().include_auth_time


def test_prompt_none_without_a_session(client, web_app):
    response = client.get(authorize_url(web_app, prompt="none"))
    assert params_of(location(response)) == {
        "error": "login_required",
        "error_description": "Login required",
        "state": "xyz-state",
    }


def test_expired_or_tampered_transaction(client, web_app, end_user, monkeypatch):
    login_url = location(client.get(authorize_url(web_app)))
    page = client.get(login_url)
    state = hidden(page, "state")
    for bad in (state[:-2] + "xx", "", "garbage", "x" * 20000):
        response = client.post(
            "/u/login", {"state": bad, "username": "ada@example.com", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert "couldn't find your session" in text(response)
    assert client.get("/u/login").status_code == 400
    later = time.time() + login_transactions.LIFETIME + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(
        "/u/login", {"state": state, "username": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "couldn't find your session" in text(response)
    assert not Session.objects.exists()


def test_the_transaction_is_revalidated(client, web_app, end_user):
    state = hidden(client.get(location(client.get(authorize_url(web_app)))), "state")
    web_app.callbacks = ["https://app.example.com/other"]
    web_app.save()
    response = client.post(
        "/u/login", {"state": state, "username": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Callback URL mismatch" in text(response)
    assert not AuthorizationCode.objects.exists()
    assert not Session.objects.exists()


def test_a_staff_login_is_not_an_end_user_session(client, web_app, db):
    staff = get_user_model().objects.create(username="ops", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert location(client.get(authorize_url(web_app))).startswith("/u/login")
    none = client.get(authorize_url(web_app, prompt="none"))
    assert params_of(location(none))["error"] == "login_required"


def test_an_end_user_session_never_reaches_the_console(client, web_app, end_user):
    submit_login(client, location(client.get(authorize_url(web_app))))
    assert COOKIE in client.cookies
    for path in ("/apis/", "/applications/", "/signing-keys/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path
    assert client.get("/api/v2/clients").status_code == 401
