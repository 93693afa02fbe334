"""What the end-to-end tests of the sign-in flow share: the tenant served at the live
server's address, an end user and browser-flow applications, a person who signs in and
consents without JavaScript (requests + BeautifulSoup), and verification of tokens the way
an application or an API does it (pyjwt against the published JWKS, nothing of ours)."""

import base64
import hashlib
import json
import os
import select
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import requests
from bs4 import BeautifulSoup
from django.conf import settings

from apis import resource_servers
from apis.models import Api
from apis.resource_servers import ScopeSpec
from applications import clients
from applications.models import Application, TokenEndpointAuthMethod
from keys import signing
from users import directory
from users.models import User

ROOT = Path(__file__).resolve().parents[2]
OPENID_CLIENT_FLOW = Path(__file__).resolve().parent / "openid_client_flow.mjs"

AUDIENCE = "https://inventory.example/api"
SCOPES = [ScopeSpec("read:stock", "Read stock"), ScopeSpec("write:stock", "Change stock")]
EMAIL = "ada@example.com"
# Auth0's "good" policy: 8 characters, 3 of the 4 classes.
PASSWORD = "Analytical-Engine-1843"
ID_TOKEN_LIFETIME = 36000
API_TOKEN_LIFETIME = 86400
TIMEOUT = 20
# What the scopes `profile` and `email` may release (AUTH0_USER_FLOWS.md section 5.1).
PROFILE_CLAIMS = {
    "name",
    "nickname",
    "picture",
    "updated_at",
    "given_name",
    "family_name",
    "locale",
}
EMAIL_CLAIMS = {"email", "email_verified"}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


def serve_tenant_at(base_url: str, settings_fixture) -> None:
    """Point every setting derived from PUBLIC_URL (issuer, endpoints, the /userinfo
    audience, the Management API identifier) at the live server, as `PUBLIC_URL=<url>
    make run` would have."""
    old = settings.PUBLIC_URL
    for name in dir(settings):
        value = getattr(settings, name, None)
        if name.isupper() and isinstance(value, str) and value.startswith(old):
            setattr(settings_fixture, name, base_url + value.removeprefix(old))
    settings_fixture.TENANT_HOST = urlsplit(base_url).hostname
    settings_fixture.CSRF_TRUSTED_ORIGINS = [base_url]
    signing.ensure_keys()
    resource_servers.ensure_management_api()


def create_api() -> Api:
    api, _ = resource_servers.create_api(name="Inventory", identifier=AUDIENCE, scopes=SCOPES)
    return api


def create_end_user(email: str = EMAIL, password: str = PASSWORD, **fields) -> User:
    return directory.create_user(email=email, password=password, **fields)


@dataclass
class BrowserClient:
    application: Application
    secret: str | None

    @property
    def client_id(self) -> str:
        return self.application.client_id


def create_browser_client(
    name: str,
    app_type: str,
    callbacks: Sequence[str],
    logout_urls: Sequence[str] = (),
    auth_method: str | None = None,
    first_party: bool = True,
) -> BrowserClient:
    """A Regular Web, Single Page or Native application with its browser-flow settings."""
    application, secret = clients.create_application(
        name=name,
        app_type=app_type,
        token_endpoint_auth_method=auth_method,
        callbacks=callbacks,
        allowed_logout_urls=logout_urls,
        is_first_party=first_party,
    )
    public = application.token_endpoint_auth_method == TokenEndpointAuthMethod.NONE
    return BrowserClient(application, None if public else secret)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(base_url: str, client_id: str, redirect_uri: str, **params: str) -> str:
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri}
    return f"{base_url}/authorize?{urlencode({**query, **params})}"


@dataclass
class Journey:
    """Where a person's browser went between /authorize and the callback."""

    callback: str
    pages: list[str] = field(default_factory=list)  # "login", "consent"
    consent_text: str = ""

    @property
    def params(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(self.callback).query).items()}


def _same_endpoint(url: str, redirect_uri: str) -> bool:
    left, right = urlsplit(url), urlsplit(redirect_uri)
    return (left.scheme, left.netloc, left.path) == (right.scheme, right.netloc, right.path)


def _submit_fields(form, button) -> dict[str, str]:
    """The fields a browser submits for `form` when `button` is clicked."""
    data: dict[str, str] = {}
    for element in form.find_all(["input", "textarea", "select"]):
        kind = (element.get("type") or "text").lower()
        name = element.get("name")
        if not name or element.has_attr("disabled") or kind in {"submit", "button", "image"}:
            continue
        if kind in {"checkbox", "radio"} and not element.has_attr("checked"):
            continue
        data[name] = element.get("value", "on" if kind in {"checkbox", "radio"} else "")
    if button is not None and button.get("name"):
        data[button["name"]] = button.get("value", "")
    return data


def _buttons(form) -> list:
    return [
        element
        for element in form.find_all(["button", "input"])
        if (element.name == "button" and (element.get("type") or "submit").lower() == "submit")
        or (element.name == "input" and (element.get("type") or "").lower() == "submit")
    ]


def _label(button) -> str:
    return (button.get_text(" ", strip=True) or button.get("value") or "").strip()


class SignInFailed(AssertionError):
    """The sign-in page came back after the form was posted; the message is its text."""


class Person:
    """Someone at a browser without JavaScript: follows redirects, fills in the sign-in
    form with email and password, and answers the consent form, all as plain HTML forms
    (house rule 9). Keeps the authorization server's cookies between journeys."""

    def __init__(self, email: str = EMAIL, password: str = PASSWORD) -> None:
        self.email = email
        self.password = password
        self.http = requests.Session()

    def authorize(self, url: str, redirect_uri: str, consent: str = "Accept") -> Journey:
        """Opens an authorize URL and goes on until the browser is sent to `redirect_uri`.
        Answers consent with the button labelled `consent` ("Accept" or "Decline")."""
        journey = Journey(callback="")
        response = self.http.get(url, allow_redirects=False, timeout=TIMEOUT)
        for _ in range(12):
            if response.status_code in REDIRECT_STATUSES:
                location = urljoin(response.url, response.headers["Location"])
                if _same_endpoint(location, redirect_uri):
                    journey.callback = location
                    return journey
                response = self.http.get(location, allow_redirects=False, timeout=TIMEOUT)
                continue
            assert response.status_code == 200, (response.status_code, response.text[:2000])
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            soup = BeautifulSoup(response.text, "html.parser")
            login_form = next(
                (form for form in soup.find_all("form") if form.find("input", type="password")),
                None,
            )
            if login_form is not None:
                if journey.pages[-1:] == ["login"] and response.request.method == "POST":
                    raise SignInFailed(soup.get_text(" ", strip=True))
                journey.pages.append("login")
                response = self._sign_in(response.url, login_form)
                continue
            journey.pages.append("consent")
            journey.consent_text = soup.get_text(" ", strip=True)
            response = self._answer(response.url, soup, consent)
        raise AssertionError(f"no redirect to {redirect_uri} after {journey.pages}")

    def _sign_in(self, page_url: str, form) -> requests.Response:
        buttons = _buttons(form)
        data = _submit_fields(form, buttons[0] if buttons else None)
        for element in form.find_all("input"):
            kind = (element.get("type") or "text").lower()
            if kind == "password":
                data[element["name"]] = self.password
            elif kind in {"email", "text"} and element.get("name"):
                data[element["name"]] = self.email
        return self._post(page_url, form, data)

    def _answer(self, page_url: str, soup, label: str) -> requests.Response:
        for form in soup.find_all("form"):
            for button in _buttons(form):
                if _label(button).lower() == label.lower():
                    return self._post(page_url, form, _submit_fields(form, button))
        raise AssertionError(f"no {label!r} button on the page: {soup.get_text(' ', strip=True)}")

    def _post(self, page_url: str, form, data: dict[str, str]) -> requests.Response:
        assert (form.get("method") or "get").lower() == "post", form
        action = urljoin(page_url, form.get("action") or page_url)
        response = self.http.post(action, data=data, allow_redirects=False, timeout=TIMEOUT)
        # A successful form post redirects (post/redirect/get); a form with errors is a 200.
        assert response.status_code in {200, 302}, (response.status_code, response.text[:2000])
        return response


def verify_rs256(base_url: str, token: str, audience: str) -> dict:
    """Verifies a JWT as an application or API does: the key by `kid` from the JWKS,
    RS256 pinned, `iss`, `aud`, `exp` and `iat` required."""
    jwks = jwt.PyJWKClient(f"{base_url}/.well-known/jwks.json", cache_jwk_set=False)
    key = jwks.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer=base_url + "/",
        options={"require": ["iss", "sub", "aud", "exp", "iat"]},
    )


class OpenIdClient:
    """openid-client v6 in Node (tests/e2e/openid_client_flow.mjs), one flow per instance."""

    def __init__(self, **options) -> None:
        if not (ROOT / "node_modules" / "openid-client").is_dir():
            raise AssertionError("node_modules/openid-client is missing: run `make install`")
        self.process = subprocess.Popen(
            ["node", str(OPENID_CLIENT_FLOW), json.dumps(options)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        try:
            start = self._line()
        except BaseException:
            self.close()
            raise
        self.authorization_url: str = start["authorization_url"]
        self.server: dict = start["server"]

    def _line(self) -> dict:
        # The live server answers in its own thread; a stuck client is a failure, not a hang.
        ready, _, _ = select.select([self.process.stdout], [], [], TIMEOUT)
        if not ready:
            self.process.kill()
            raise AssertionError("openid-client printed nothing within the timeout")
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(TIMEOUT)
            raise AssertionError(f"openid-client exited: {self.process.stderr.read()}")
        result = json.loads(line)
        if "error" in result:
            self.process.wait(TIMEOUT)
            raise OpenIdClientError(result["error"])
        return result

    def finish(self, callback_url: str) -> dict:
        """Hands over the callback URL; returns tokens, ID token claims and userinfo."""
        self.process.stdin.write(callback_url + "\n")
        self.process.stdin.flush()
        result = self._line()
        assert self.process.wait(TIMEOUT) == 0, self.process.stderr.read()
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


class OpenIdClientError(AssertionError):
    def __init__(self, error: dict) -> None:
        super().__init__(json.dumps(error))
        self.error = error
