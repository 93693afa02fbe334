"""Helpers for the browser flow tests (/authorize, /u/login, /u/consent, logout): URLs,
signing in a test client, and reading what redirects and pages say."""

import html as html_module
import re
from urllib.parse import parse_qs, urlencode, urlsplit

from applications.models import AppType
from users import session_cookie, sessions
from users.models import User

PASSWORD = "Correct-Horse-9"
WEB_CALLBACK = "https://app.example.com/callback"
SPA_CALLBACK = "http://localhost:3000/callback"
S256_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
S256_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def sign_in(client, user: User):
    """Gives the test client a live end-user session for `user`; returns the session."""
    session, secret = sessions.start(user)
    client.cookies[session_cookie.COOKIE_NAME] = secret
    return session


def authorize_url(application, **params) -> str:
    query = {
        "client_id": application.client_id,
        "response_type": "code",
        "redirect_uri": WEB_CALLBACK if application.app_type != AppType.SPA else SPA_CALLBACK,
        "scope": "openid profile email",
        "state": "xyz-state",
        **params,
    }
    if application.app_type == AppType.SPA and "code_challenge" not in params:
        query.setdefault("code_challenge", S256_CHALLENGE)
        query.setdefault("code_challenge_method", "S256")
    return "/authorize?" + urlencode({k: v for k, v in query.items() if v is not None})


def location(response) -> str:
    assert response.status_code == 302, (response.status_code, response.content[:500])
    return response["Location"]


def params_of(url: str) -> dict[str, str]:
    """The query parameters of a URL, each once (a repeat fails the test)."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def base_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def text(response) -> str:
    """The page's text with HTML character references decoded."""
    return html_module.unescape(response.content.decode())


def hidden(response, name: str) -> str:
    """The value of a hidden input in a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', text(response))
    assert match, f"no {name} field in the page"
    return html_module.unescape(match.group(1))


def submit_login(client, login_url: str, *, email="ada@example.com", password=PASSWORD):
    page = client.get(login_url)
    assert page.status_code == 200, text(page)
    return client.post(
        "/u/login",
        {"state": hidden(page, "state"), "username": email, "password": password},
    )


def consent(client, consent_url: str, action: str = "accept"):
    page = client.get(consent_url)
    assert page.status_code == 200, text(page)
    return client.post("/u/consent", {"state": hidden(page, "state"), "action": action})
