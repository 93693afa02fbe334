"""A rotation lost in a database crash (applications/refresh_token_recovery.py): the
client's child is recognised and the rotation written again, so the client stays signed in
and the parent is spent again; anything else that names a family is refused and writes
nothing.

The crash is reproduced by putting the database back as it was before the rotation (the
child's row gone, the family's generation and times as they were), which is what losing
an asynchronous commit leaves; tests/applications/test_refresh_crash.py loses one in a real
PostgreSQL crash. Requests run outside any test transaction, as in a server, so on
PostgreSQL the rotation is the asynchronously committed one-statement path.
"""

import base64
import datetime as dt
import logging
import secrets
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from applications import refresh_tokens
from applications.models import RefreshToken, RefreshTokenFamily, UserGrant
from keys import digests
from tests.applications.conftest import ORDERS, configure_refresh, ok, refused, rotating

pytestmark = pytest.mark.django_db(transaction=True)


def family_of(token: str) -> RefreshTokenFamily:
    return RefreshToken.objects.get(digest=refresh_tokens.token_digest(token)).family


def rotate_and_lose(refresher, client, token: str) -> str:
    """Exchanges `token` over HTTP, then puts the database back as a crash that lost that
    rotation's commit would: returns the child the client received."""
    family = family_of(token)
    child = ok(refresher.refresh(client, token))["refresh_token"]
    assert RefreshToken.objects.filter(digest=refresh_tokens.token_digest(child)).delete()[0]
    RefreshTokenFamily.objects.filter(pk=family.pk).update(
        generation=family.generation,
        rotated_at=family.rotated_at,
        last_exchanged_at=family.last_exchanged_at,
    )
    return child


def snapshot() -> tuple[list[tuple], list[tuple]]:
    families = RefreshTokenFamily.objects.order_by("pk").values_list(
        "pk", "generation", "rotated_at", "last_exchanged_at", "revoked_at"
    )
    tokens = RefreshToken.objects.order_by("digest").values_list(
        "digest", "generation", "idle_expires_at"
    )
    return list(families), list(tokens)


def test_the_child_of_a_lost_rotation_still_works(refresher, web_app):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)

    grandchild = ok(refresher.refresh(web_app, child))["refresh_token"]

    family = family_of(parent)
    assert family.generation == 3  # the lost rotation, written again, and this one
    stored = RefreshToken.objects.filter(family=family).order_by("generation")
    assert [row.digest for row in stored] == [
        refresh_tokens.token_digest(token) for token in (parent, child, grandchild)
    ]
    ok(refresher.refresh(web_app, grandchild))


def test_after_the_restoration_the_parent_is_reuse(refresher, web_app, end_user):
    """The residual risk closed: a thief's copy of the parent no longer passes unnoticed."""
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    grandchild = ok(refresher.refresh(web_app, child))["refresh_token"]

    refused(refresher.refresh(web_app, parent))

    family = family_of(parent)
    assert family.revoked_reason == refresh_tokens.REUSE_DETECTED
    assert not UserGrant.objects.filter(user=end_user, audience=ORDERS).exists()
    refused(refresher.refresh(web_app, grandchild))


def test_the_restoration_is_logged_with_the_family_never_the_token(refresher, web_app, caplog):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)

    with caplog.at_level(logging.INFO, logger="applications"):
        grandchild = ok(refresher.refresh(web_app, child))["refresh_token"]

    family = family_of(parent)
    restored = [r.getMessage() for r in caplog.records if "restored" in r.getMessage()]
    assert len(restored) == 1
    assert family.pk in restored[0] and web_app.client_id in restored[0]
    assert restored[0].startswith("refresh token family")
    for token in (parent, child, grandchild):
        assert token.split(".", 1)[1] not in caplog.text


def test_a_retried_request_of_the_lost_child_gets_the_same_grandchild(refresher, web_app):
    """The restored rotation is an ordinary one: a retry of the request whose response was
    lost, inside the overlap period, gets the same token again."""
    rotating(web_app.application, leeway=30)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)

    first = ok(refresher.refresh(web_app, child))["refresh_token"]
    again = ok(refresher.refresh(web_app, child))["refresh_token"]

    assert first == again
    assert family_of(parent).generation == 3


@pytest.mark.parametrize("secret", ["A" * 43, "", "x", "not-a-token", "\u00e9" * 43])
def test_a_forged_token_naming_a_family_changes_nothing(refresher, web_app, secret, caplog):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    rotate_and_lose(refresher, web_app, parent)
    family_id = family_of(parent).pk
    before = snapshot()

    with caplog.at_level(logging.INFO, logger="applications"):
        refused(refresher.refresh(web_app, f"{family_id}.{secret}"))

    assert snapshot() == before
    assert "restored" not in caplog.text
    assert refresh_tokens.UNKNOWN in caplog.text


def test_a_lost_child_presented_by_another_client_changes_nothing(refresher, web_app, spa, caplog):
    rotating(web_app.application)
    rotating(spa.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    before = snapshot()

    with caplog.at_level(logging.INFO, logger="applications"):
        refused(refresher.refresh(spa, child))

    assert snapshot() == before
    assert refresh_tokens.FOREIGN_CLIENT in caplog.text
    ok(refresher.refresh(web_app, child))  # its own client still can


def test_a_lost_child_of_a_revoked_family_changes_nothing(refresher, web_app):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    refresh_tokens.revoke_families("revoked", timezone.now(), pk=family_of(parent).pk)
    before = snapshot()

    refused(refresher.refresh(web_app, child))

    assert snapshot() == before


def test_a_lost_child_past_its_parents_idle_expiry_changes_nothing(refresher, web_app):
    """The lost child's idle deadline is unknown; its parent's is the earliest it can be."""
    configure_refresh(
        rotating(web_app.application),
        refresh_idle_token_lifetime=3600,
        refresh_infinite_idle_token_lifetime=False,
    )
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    RefreshToken.objects.filter(digest=refresh_tokens.token_digest(parent)).update(
        idle_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    before = snapshot()

    refused(refresher.refresh(web_app, child))

    assert snapshot() == before


def test_a_refused_request_rolls_the_restoration_back(refresher, web_app):
    """A scope the grant lacks is refused before anything is written; the lost child is then
    still recognised by a good request."""
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    before = snapshot()

    response = refresher.refresh(web_app, child, scope="openid offline_access write:orders")
    assert response.status_code == 403, response.content
    assert response.json()["error"] == "invalid_scope"

    assert snapshot() == before
    ok(refresher.refresh(web_app, child))


def test_two_lost_rotations_of_one_family_are_not_recognised(refresher, web_app):
    """Each row keeps its child's digest, not its grandchild's (the documented limit)."""
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    family = family_of(parent)
    child = ok(refresher.refresh(web_app, parent))["refresh_token"]
    grandchild = ok(refresher.refresh(web_app, child))["refresh_token"]
    RefreshToken.objects.filter(family=family, generation__gt=1).delete()
    RefreshTokenFamily.objects.filter(pk=family.pk).update(
        generation=1, rotated_at=None, last_exchanged_at=None
    )
    before = snapshot()

    refused(refresher.refresh(web_app, grandchild))

    assert snapshot() == before


def test_a_token_names_its_family(refresher, web_app):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = ok(refresher.refresh(web_app, parent))["refresh_token"]

    family_id = family_of(parent).pk
    assert parent.split(".")[0] == child.split(".")[0] == family_id


def test_a_token_issued_before_tokens_named_their_family_still_works(refresher, web_app):
    """A bare secret (no family id) is found by its digest and rotated synchronously (the
    locked path: its child cannot be named before the statement), so its rotation cannot be
    lost; its child names the family, and that child's lost rotation is restored."""
    rotating(web_app.application)
    current = refresher.start(web_app)["refresh_token"]
    family_id = family_of(current).pk
    legacy = secrets.token_urlsafe(32)
    RefreshToken.objects.filter(digest=refresh_tokens.token_digest(current)).update(
        digest=refresh_tokens.token_digest(legacy), child_digest=""
    )

    child = ok(refresher.refresh(web_app, legacy))["refresh_token"]
    assert child.startswith(f"{family_id}.")
    grandchild = rotate_and_lose(refresher, web_app, child)

    ok(refresher.refresh(web_app, grandchild))
    assert family_of(legacy).generation == 4


def revoke(client, web_app, token: str, *, as_client=None):
    """POST /oauth/revoke with `as_client`'s credentials (the web app's by default)."""
    caller = as_client or web_app
    params = {"client_id": caller.client_id, "token": token}
    if caller.application.token_endpoint_auth_method != "none":
        params["client_secret"] = caller.secret
    return client.post(
        "/oauth/revoke", urlencode(params), content_type="application/x-www-form-urlencoded"
    )


def test_revoking_a_lost_child_revokes_its_family(client, refresher, web_app):
    """Signing out after a crash means it: the parent, live again, stops working too."""
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)

    response = revoke(client, web_app, child)

    assert response.status_code == 200, response.content
    assert family_of(parent).revoked_reason == "client_revoked"
    refused(refresher.refresh(web_app, parent))
    refused(refresher.refresh(web_app, child))


def test_another_client_cannot_revoke_a_lost_child(client, refresher, web_app, spa):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    before = snapshot()

    response = revoke(client, web_app, child, as_client=spa)

    assert response.status_code == 403, response.content
    assert response.json()["error"] == "unauthorized_client"
    assert snapshot() == before


def test_a_lost_child_past_the_absolute_expiry_changes_nothing(refresher, web_app, caplog):
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    RefreshTokenFamily.objects.filter(pk=family_of(parent).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    before = snapshot()

    with caplog.at_level(logging.INFO, logger="applications"):
        refused(refresher.refresh(web_app, child))

    assert snapshot() == before
    assert refresh_tokens.EXPIRED in caplog.text


def test_a_blocked_users_lost_child_changes_nothing(refresher, web_app, end_user):
    """The grant's own checks run after the restoration and roll it back."""
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    end_user.blocked = True
    end_user.save(update_fields=["blocked"])
    before = snapshot()

    response = refresher.refresh(web_app, child)

    assert response.status_code == 403, response.content
    assert response.json() == {"error": "invalid_grant", "error_description": "user is blocked"}
    assert snapshot() == before


def test_a_lost_child_of_a_non_rotating_family_is_not_recognised(refresher, web_app):
    """Only rotating families rotate asynchronously, so only they can lose a rotation."""
    rotating(web_app.application)
    parent = refresher.start(web_app)["refresh_token"]
    child = rotate_and_lose(refresher, web_app, parent)
    RefreshTokenFamily.objects.filter(pk=family_of(parent).pk).update(rotating=False)
    before = snapshot()

    refused(refresher.refresh(web_app, child))

    assert snapshot() == before


def test_the_overlap_period_of_a_token_issued_before_tokens_named_their_family(refresher, web_app):
    """A retry of a bare secret whose child the earlier code derived (the bare HMAC of the
    parent, no family id) gets that stored child again, not a named one nobody stored."""
    rotating(web_app.application, leeway=30)
    current = refresher.start(web_app)["refresh_token"]
    family = family_of(current)
    legacy = secrets.token_urlsafe(32)
    raw = bytes.fromhex(digests.digest("refresh-token-child", legacy))
    legacy_child = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    RefreshToken.objects.filter(digest=refresh_tokens.token_digest(current)).update(
        digest=refresh_tokens.token_digest(legacy), child_digest=""
    )
    now = timezone.now()
    RefreshToken.objects.create(
        digest=refresh_tokens.token_digest(legacy_child), family=family, generation=2, issued_at=now
    )
    RefreshTokenFamily.objects.filter(pk=family.pk).update(generation=2, rotated_at=now)

    retried = ok(refresher.refresh(web_app, legacy))["refresh_token"]

    assert retried == legacy_child
    grandchild = ok(refresher.refresh(web_app, retried))["refresh_token"]
    assert grandchild.startswith(f"{family.pk}.")
