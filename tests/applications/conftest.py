"""Fixtures for the authorization-code exchange: an end user signed in, web and single-page
applications, and codes issued through applications/codes.py exactly as /authorize does."""

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from applications import clients, codes
from applications.models import Application, AppType
from keys import vault
from tests.conftest import Client
from users import sessions
from users.models import Session, User

CALLBACK = "https://app.example/callback"
SPA_CALLBACK = "https://spa.example/"
VERIFIER = "v" * 20 + "-._~" + "V" * 19 + "0123456789"  # 52 unreserved characters


def s256(verifier: str) -> str:
    """RFC 7636 section 4.2's S256 challenge of `verifier`."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@pytest.fixture
def end_user(db) -> User:
    return User.objects.create(
        email="ada@example.com",
        email_verified=True,
        name="Ada Lovelace",
        nickname="ada",
        given_name="Ada",
        family_name="Lovelace",
        picture="https://cdn.example/ada.png",
        password="!",  # never signs in with a password here
    )


@pytest.fixture
def user_session(end_user) -> Session:
    session, _secret = sessions.start(end_user)
    return session


@pytest.fixture
def web_app(tenant) -> Client:
    """A regular web application (client_secret_post, authorization_code among its grants)."""
    application, secret = clients.create_application(name="Web", app_type=AppType.REGULAR_WEB)
    return Client(application, secret)


@pytest.fixture
def spa(tenant) -> Client:
    """A single-page application: a public client (token_endpoint_auth_method none)."""
    application, secret = clients.create_application(name="SPA", app_type=AppType.SPA)
    return Client(application, secret)


def use_hs256_id_tokens(client: Client) -> Application:
    """Switch the client to HS256 ID tokens, storing its secret encrypted as the settings
    surface does."""
    application = client.application
    application.id_token_alg = "HS256"
    application.encrypted_secret = vault.encrypt(client.secret.encode())
    application.save(update_fields=["id_token_alg", "encrypted_secret"])
    return application


@dataclass
class CodeFactory:
    user: User
    session: Session

    def issue(self, application: Application, **overrides: Any) -> str:
        """A fresh code for `application`, as /authorize would issue after sign-in; any
        binding can be overridden (`now` too)."""
        bindings: dict[str, Any] = {
            "application": application,
            "user": self.user,
            "session_id": self.session.id,
            "redirect_uri": CALLBACK,
            "code_challenge": "",
            "code_challenge_method": "",
            "nonce": "n-0S6_WzA2Mj",
            "scopes": ["openid", "profile", "email"],
            "audience": "",
            "auth_time": self.session.authenticated_at,
            "include_auth_time": False,
        }
        bindings.update(overrides)
        return codes.issue(**bindings)

    def issue_pkce(self, application: Application, **overrides: Any) -> str:
        """A code bound to S256(VERIFIER) and SPA_CALLBACK."""
        overrides.setdefault("redirect_uri", SPA_CALLBACK)
        overrides.setdefault("code_challenge", s256(VERIFIER))
        overrides.setdefault("code_challenge_method", "S256")
        return self.issue(application, **overrides)


@pytest.fixture
def make_code(end_user, user_session) -> CodeFactory:
    return CodeFactory(end_user, user_session)


def seconds_ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


# --- refresh tokens (AUTH0_USER_FLOWS.md section 4) ----------------------------------------

ORDERS = "https://orders.example/api"
OFFLINE_SCOPES = ["openid", "profile", "email", "offline_access", "read:orders"]


@pytest.fixture
def offline_api(orders_api):
    """The Orders API with Allow Offline Access on."""
    orders_api.allow_offline_access = True
    orders_api.save(update_fields=["allow_offline_access"])
    return orders_api


REFRESH_REFUSED = {
    "error": "invalid_grant",
    "error_description": "Unknown or invalid refresh token.",
}


def ok(response) -> dict:
    """The body of a 200 response."""
    assert response.status_code == 200, response.content
    return response.json()


def refused(response) -> None:
    """Asserts Auth0's one refusal for an unusable refresh token (403 invalid_grant)."""
    assert response.status_code == 403, response.content
    assert response.json() == REFRESH_REFUSED


def configure_refresh(application: Application, **columns: Any) -> Application:
    """Set refresh-token columns (refresh_rotation_type=..., refresh_leeway=...) directly."""
    for column, value in columns.items():
        setattr(application, column, value)
    application.full_clean()
    application.save()
    return application


def rotating(application: Application, leeway: int = 0) -> Application:
    return configure_refresh(
        application,
        refresh_rotation_type="rotating",
        refresh_expiration_type="expiring",
        refresh_leeway=leeway,
    )


@dataclass
class Refresher:
    """Starts refresh-token families through the real code exchange and refreshes them over
    HTTP (POST /oauth/token)."""

    post_token: Any
    make_code: CodeFactory

    def start(self, client: Client, scopes: list[str] | None = None, **overrides: Any) -> dict:
        """The code exchange's response body for a fresh code of `client` at the Orders API."""
        application = client.application
        params = {
            "grant_type": "authorization_code",
            "client_id": client.client_id,
            "code": None,
            "redirect_uri": CALLBACK,
        }
        code_overrides: dict[str, Any] = {"audience": ORDERS, "scopes": scopes or OFFLINE_SCOPES}
        code_overrides.update(overrides)
        if application.token_endpoint_auth_method == "none":
            params["code"] = self.make_code.issue_pkce(application, **code_overrides)
            params["redirect_uri"] = SPA_CALLBACK
            params["code_verifier"] = VERIFIER
        else:
            params["code"] = self.make_code.issue(application, **code_overrides)
            params["client_secret"] = client.secret
        response = self.post_token(params)
        assert response.status_code == 200, response.content
        return response.json()

    def refresh(self, client: Client, token: str, *, as_json: bool = False, **extra: Any):
        """POST the refresh grant; returns the response."""
        params: dict[str, Any] = {
            "grant_type": "refresh_token",
            "client_id": client.client_id,
            "refresh_token": token,
        }
        if client.application.token_endpoint_auth_method != "none":
            params["client_secret"] = client.secret
        params.update(extra)
        params = {name: value for name, value in params.items() if value is not ...}
        return self.post_token(params, as_json=as_json)


@pytest.fixture
def refresher(post_token, make_code, offline_api) -> Refresher:
    return Refresher(post_token, make_code)
