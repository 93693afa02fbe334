"""Fixtures for the browser flow tests: an end user, applications with callbacks, a signed-in
test client. Test modules star-import them (pytest finds fixtures by name in the module)."""

import pytest

from applications import clients
from applications.models import AppType
from users import passwords
from users.models import User

from .front_channel import PASSWORD, SPA_CALLBACK, WEB_CALLBACK, sign_in

__all__ = ["_fast_password_hashing", "end_user", "signed_in", "spa", "web_app"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 at production cost makes every sign-in slow; the protocol is what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def end_user(db) -> User:
    return User.objects.create(
        email="ada@example.com", password=passwords.hash_password(PASSWORD), name="Ada"
    )


@pytest.fixture
def web_app(tenant):
    application, secret = clients.create_application(name="Acme Web", app_type=AppType.REGULAR_WEB)
    application.callbacks = [WEB_CALLBACK, "https://app.example.com/cb?tenant=eu"]
    application.allowed_logout_urls = ["https://app.example.com/"]
    application.save()
    return application


@pytest.fixture
def spa(tenant):
    application, _ = clients.create_application(name="Acme SPA", app_type=AppType.SPA)
    application.callbacks = [
        SPA_CALLBACK,
        "http://127.0.0.1:3000/callback",
        "https://spa.example.com/",
    ]
    application.web_origins = ["https://spa.example.com"]
    application.allowed_logout_urls = ["http://localhost:3000/", "https://spa.example.com/"]
    application.save()
    return application


@pytest.fixture
def signed_in(client, end_user):
    return sign_in(client, end_user)
