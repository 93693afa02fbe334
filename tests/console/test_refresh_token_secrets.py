"""Refresh tokens never leave the token response (issue 11): not on any console page, not in
the Management API's client JSON, neither the token nor its stored digest."""

import pytest
from django.utils import timezone

from applications import refresh_tokens
from applications.models import RefreshToken
from users.models import User

pytestmark = pytest.mark.django_db


def test_no_refresh_token_or_digest_on_any_console_page(
    staff_client, console_urls_filled, granted_client, orders_api
):
    user = User.objects.get(email="walk@example.com")
    now = timezone.now()
    token = refresh_tokens.issue(
        application=granted_client.application,
        user=user,
        audience=orders_api.identifier,
        scopes=["offline_access", "read:orders"],
        session_id="",
        auth_time=now,
        code_digest="",
        now=now,
    )
    # The walk's own fixtures may hold other families: this test's token is found by its digest.
    stored = RefreshToken.objects.get(digest=refresh_tokens.token_digest(token))
    digest = stored.digest
    family_id = stored.family_id
    assert family_id  # the public id may appear; the secret and its digest never

    for url in console_urls_filled:
        response = staff_client.get(url)
        if response.status_code != 200:
            continue
        body = response.content.decode("utf-8", "replace")  # certificates are binary
        assert token not in body, url
        assert digest not in body, url
