"""Every console URL refuses anonymous users and non-staff users, found by walking the
URL patterns, so a view added later without a check fails here."""

from urllib.parse import quote

from django.contrib.auth import get_user_model

from .conftest import HTMX, html


def test_anonymous_get_and_post_redirect_to_login(client, console_urls_filled):
    for url in console_urls_filled:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/?next="), url


def test_anonymous_htmx_request_gets_hx_redirect_not_a_login_form(client, console_urls_filled):
    for url in console_urls_filled:
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200, url
        assert response["HX-Redirect"] == f"/login/?next={quote(url, safe='/')}"
        assert response.content == b""


def test_anonymous_htmx_redirect_keeps_the_query_string_encoded(client, tenant):
    response = client.get("/apis/?q=orders&page=2", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/apis/%3Fq%3Dorders%26page%3D2"
    assert "Location" not in response


def test_every_console_page_answers_head_like_get(staff_client, console_urls_filled):
    # RFC 9110 section 9.3.2: every GET route answers HEAD, same header fields, no content.
    # Write-only URLs (POST) answer both with 405.
    pages = 0
    for url in console_urls_filled:
        got = staff_client.get(url)
        head = staff_client.head(url)
        assert head.status_code == got.status_code, url
        assert head.content == b"", url
        if got.status_code == 405:
            assert head["Allow"] == got["Allow"] == "POST", url
            continue
        pages += 1
        # Two renders may differ in length (the signing-key timeline is drawn against "now"),
        # and the CSRF cookie is set per response; every other header is GET's.
        ignored = {"Set-Cookie", "Content-Length"}
        assert {k: v for k, v in head.headers.items() if k not in ignored} == {
            k: v for k, v in got.headers.items() if k not in ignored
        }, url
    assert pages >= 15


def test_signed_in_non_staff_user_is_forbidden_everywhere(client, console_urls_filled):
    user = get_user_model().objects.create_user("visitor", password=None)
    client.force_login(user)
    for url in console_urls_filled:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, url
    assert "The Gatehouse console is for staff users" in html(client.get("/apis/"))


def test_login_page_has_the_console_look_and_logs_in(client, tenant, staff):
    page = client.get("/login/?next=/signing-keys/")
    body = html(page)
    assert page.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/app.css">' in body
    assert '<label for="id_username">Username</label>' in body
    refused = client.post(
        "/login/", {"username": "ops", "password": "wrong", "next": "/signing-keys/"}
    )
    assert refused.status_code == 200
    assert "Please enter a correct username and password" in html(refused)
    response = client.post(
        "/login/", {"username": "ops", "password": "not-a-real-password", "next": "/signing-keys/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/signing-keys/"
    assert client.get("/signing-keys/").status_code == 200


def test_logout_is_a_post_from_the_top_bar(staff_client, tenant):
    body = html(staff_client.get("/apis/"))
    assert '<form method="post" action="/logout/">' in body
    assert "Signed in as <strong>ops</strong>" in body
    assert staff_client.get("/logout/").status_code == 405
    response = staff_client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert staff_client.get("/apis/").status_code == 302


def test_home_goes_to_the_apis_list(staff_client, tenant):
    response = staff_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/apis/"


def test_missing_objects_get_a_styled_404(staff_client, tenant):
    response = staff_client.get("/applications/no-such-client/settings/")
    assert response.status_code == 404
    body = html(response)
    assert "<h1>Not found</h1>" in body and "/static/css/app.css" in body
