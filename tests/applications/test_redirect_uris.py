"""Callback, logout-URL and origin matching (applications/redirect_uris.py): exact match or a
one-label host wildcard on the parsed URL, never a prefix; the attacks of
AUTH0_USER_FLOWS.md section 9 (complaint 9) refused."""

from types import SimpleNamespace

import pytest

from applications import redirect_uris

REGISTERED = [
    "https://app.example.com/callback",
    "https://*.example.org/cb",
    "https://pre-*-suf.example.net/cb?tenant=1",
    "http://127.0.0.1:8080/cb",
    "com.example.app:/oauth2redirect",
]


def client(loopback_any_port=False):
    return SimpleNamespace(callbacks=REGISTERED, allow_loopback_any_port=loopback_any_port)


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.com/callback",
        "https://tenant1.example.org/cb",
        "https://TENANT1.example.org/cb",
        "https://pre-x-suf.example.net/cb?tenant=1",
        "http://127.0.0.1:8080/cb",
        "com.example.app:/oauth2redirect",
    ],
)
def test_registered_callbacks_match(uri):
    assert redirect_uris.callback_allowed(client(), uri)


@pytest.mark.parametrize(
    "uri",
    [
        # Exact means exact: trailing slash, scheme, port, case of the path, query.
        "https://app.example.com/callback/",
        "http://app.example.com/callback",
        "https://app.example.com:8443/callback",
        "https://app.example.com/Callback",
        "https://app.example.com/callback?x=1",
        # Prefix tricks (Keycloak #48430 style) and parser confusion (CVE-2026-7504 style).
        "https://app.example.com/callback.evil.com",
        "https://app.example.com.evil.com/callback",
        "https://app.example.com@evil.com/callback",
        "https://app.example.com\\@evil.com/callback",
        "https://evil.com#@app.example.com/callback",
        "https://app.example.com/callback#frag",
        "https://app.example.com/call back",
        "https://app.example.com/callback\r\nLocation: https://evil.com",
        # The wildcard stands for exactly one non-empty label.
        "https://a.b.example.org/cb",
        "https://example.org/cb",
        "https://.example.org/cb",
        "https://x_y.example.org/cb",
        "https://evil.com/.example.org/cb",
        "https://tenant1.example.org:444/cb",
        "https://tenant1.example.org/cb/",
        "https://pre--suf.example.net/cb?tenant=1",
        "https://pre-x-suf.example.net/cb?tenant=2",
        # Loopback is exact unless the client opted in to RFC 8252 section 7.3.
        "http://127.0.0.1:9999/cb",
        "",
        "not a url",
    ],
)
def test_everything_else_is_refused(uri):
    assert not redirect_uris.callback_allowed(client(), uri)


def test_loopback_any_port_is_an_opt_in_for_ip_literals_only():
    opted_in = client(loopback_any_port=True)
    assert redirect_uris.callback_allowed(opted_in, "http://127.0.0.1:9999/cb")
    assert not redirect_uris.callback_allowed(opted_in, "http://127.0.0.1:9999/other")
    assert not redirect_uris.callback_allowed(opted_in, "http://localhost:9999/cb")
    localhost = SimpleNamespace(
        callbacks=["http://localhost:3000/cb"], allow_loopback_any_port=True
    )
    assert not redirect_uris.callback_allowed(localhost, "http://localhost:4000/cb")


@pytest.mark.parametrize(
    ("url", "kind", "error"),
    [
        ("https://*.com/cb", "callback", "registrable domain"),
        ("https://a.*.example.com/cb", "callback", "leftmost label"),
        ("https://*.*.example.com/cb", "callback", "at most one wildcard"),
        ("https://example.com/*", "callback", "only in the host"),
        ("myapp://*.example.com/cb", "callback", "only in http and https"),
        ("https://user@example.com/cb", "callback", "user information"),
        ("https://example.com/cb#x", "callback", "fragment"),
        ("https://example.com/c b", "callback", "whitespace"),
        ("https://example.com/cb?x=\u00fc", "callback", "must be ASCII"),
        ("https://b\u00fccher.example", "web_origin", "must be ASCII"),
        ("https://example.com:99999/cb", "callback", "port"),
        ("/relative/cb", "callback", "absolute URL"),
        ("https://example.com/path", "web_origin", "without a path"),
        ("myapp://x", "allowed_origin", "http or https origin"),
    ],
)
def test_registration_refuses_with_a_reason(url, kind, error):
    assert error in (redirect_uris.registration_error(url, kind) or "")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://app.example.com/callback", "callback"),
        ("https://*.example.com/callback", "callback"),
        ("com.example.app:/cb", "callback"),
        ("https://app.example.com/bye?x=1", "logout"),
        ("https://app.example.com", "web_origin"),
        ("https://*.example.com", "allowed_origin"),
    ],
)
def test_registration_accepts(url, kind):
    assert redirect_uris.registration_error(url, kind) is None


def test_logout_urls_ignore_query_and_fragment_but_nothing_else():
    urls = ["https://app.example.com/bye?from=config", "https://*.example.org/out"]
    assert redirect_uris.logout_url_allowed(urls, "https://app.example.com/bye")
    assert redirect_uris.logout_url_allowed(urls, "https://app.example.com/bye?x=1#y")
    assert redirect_uris.logout_url_allowed(urls, "https://t.example.org/out")
    assert not redirect_uris.logout_url_allowed(urls, "https://app.example.com/bye/")
    assert not redirect_uris.logout_url_allowed(urls, "https://app.example.com.evil.com/bye")
    assert not redirect_uris.logout_url_allowed(urls, "https://app.example.com@evil.com/bye")
    assert not redirect_uris.logout_url_allowed(urls, "//evil.com/bye")
    assert not redirect_uris.logout_url_allowed(urls, "https://app.example.com/bye#\r\nX: 1")
    assert not redirect_uris.logout_url_allowed(urls, "https://app.example.com/bye#a b")
    assert not redirect_uris.logout_url_allowed(urls, "https://app.example.com/bye#\u00fc")


def test_a_non_ascii_url_stored_before_it_was_refused_never_matches():
    # Sent as a Location header it would be MIME-encoded, a relative URL on Gatehouse that
    # would carry the authorization code to Gatehouse's own access log.
    stored = "https://app.example.com/cb\u20ac"
    stored_callbacks = SimpleNamespace(callbacks=[stored], allow_loopback_any_port=False)
    assert not redirect_uris.callback_allowed(stored_callbacks, stored)
    assert not redirect_uris.logout_url_allowed([stored], stored)


def test_origins_compare_as_origins():
    origins = ["https://app.example.com/", "https://*.example.org"]
    assert redirect_uris.origin_allowed(origins, "https://app.example.com")
    assert redirect_uris.origin_allowed(origins, "https://x.example.org")
    assert not redirect_uris.origin_allowed(origins, "https://app.example.com:8443")
    assert not redirect_uris.origin_allowed(origins, "http://app.example.com")
    assert not redirect_uris.origin_allowed(origins, "null")
    assert redirect_uris.origin_of("https://App.Example.com:8443/cb?x") == (
        "https://app.example.com:8443"
    )


@pytest.mark.parametrize(
    ("uri", "non_verifiable"),
    [
        ("http://localhost:3000/cb", True),
        ("http://app.localhost/cb", True),
        ("http://127.0.0.1/cb", True),
        ("http://127.1.2.3:8080/cb", True),
        ("http://[::1]:8080/cb", True),
        ("com.example.app:/cb", True),
        ("https://app.example.com/cb", False),
        ("https://localhost.example.com/cb", False),
    ],
)
def test_non_verifiable_callbacks_always_get_consent(uri, non_verifiable):
    assert redirect_uris.is_non_verifiable(uri) is non_verifiable
