"""Rotation, the overlap period, reuse detection, lifetimes and revocation of refresh tokens
(AUTH0_USER_FLOWS.md sections 4.3 and 4.4; section 9 complaints 1-6, 8 and 14), over HTTP.
Time is moved by backdating rows, never by sleeping."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from applications import refresh_tokens, user_grants
from applications.models import RefreshToken, RefreshTokenFamily, UserGrant
from tests.applications.conftest import ORDERS, configure_refresh, ok, refused, rotating


def backdate_use(token: str, seconds: float) -> None:
    """Pretend `token` was exchanged `seconds` ago: its child was issued then, and when the
    child is the newest token, that is when the family last rotated."""
    row = RefreshToken.objects.get(digest=refresh_tokens.token_digest(token))
    when = timezone.now() - dt.timedelta(seconds=seconds)
    child = RefreshToken.objects.filter(family_id=row.family_id, generation=row.generation + 1)
    assert child.update(issued_at=when) == 1
    RefreshTokenFamily.objects.filter(pk=row.family_id, generation=row.generation + 1).update(
        rotated_at=when
    )


def family() -> RefreshTokenFamily:
    return RefreshTokenFamily.objects.get()


# --- rotation ------------------------------------------------------------------------------


def test_rotation_issues_a_new_token_each_time(refresher, web_app):
    rotating(web_app.application)
    t1 = refresher.start(web_app)["refresh_token"]

    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]
    t3 = ok(refresher.refresh(web_app, t2))["refresh_token"]

    assert len({t1, t2, t3}) == 3
    assert family().generation == 3
    stored = RefreshToken.objects.order_by("generation")
    assert [(row.generation, row.digest) for row in stored] == [
        (generation, refresh_tokens.token_digest(token))
        for generation, token in enumerate((t1, t2, t3), start=1)
    ]


def test_reuse_after_rotation_revokes_the_family_and_the_grant(refresher, web_app, end_user):
    rotating(web_app.application)
    t1 = refresher.start(web_app)["refresh_token"]
    other_tab = refresher.start(web_app)["refresh_token"]
    user_grants.record(end_user, web_app.application, ORDERS, ["read:orders"])
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]

    refused(refresher.refresh(web_app, t1))  # leeway 0: reuse detected

    families = {f.pk: f for f in RefreshTokenFamily.objects.all()}
    reasons = sorted(f.revoked_reason for f in families.values())
    assert reasons == ["grant_revoked", "reuse_detected"]
    assert not UserGrant.objects.filter(audience=ORDERS).exists()
    refused(refresher.refresh(web_app, t2))
    refused(refresher.refresh(web_app, other_tab))


def test_overlap_period_returns_the_same_child(refresher, web_app):
    rotating(web_app.application, leeway=30)
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]

    # A retry whose response was lost (complaint 5), and parallel calls (complaint 1).
    again = ok(refresher.refresh(web_app, t1))
    third = ok(refresher.refresh(web_app, t1))

    assert again["refresh_token"] == third["refresh_token"] == t2
    assert again["access_token"] != third["access_token"]  # fresh access tokens each time
    assert family().generation == 2 and family().revoked_at is None
    t3 = ok(refresher.refresh(web_app, t2))["refresh_token"]
    assert t3 not in (t1, t2)


def test_only_the_immediate_predecessor_is_graced(refresher, web_app):
    # Complaint 6: the grandparent is reuse even inside the overlap period.
    rotating(web_app.application, leeway=30)
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]
    ok(refresher.refresh(web_app, t2))

    refused(refresher.refresh(web_app, t1))

    assert family().revoked_reason == "reuse_detected"


def test_the_parent_after_the_overlap_period_is_reuse(refresher, web_app):
    rotating(web_app.application, leeway=10)
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]
    backdate_use(t1, 11)

    refused(refresher.refresh(web_app, t1))

    assert family().revoked_reason == "reuse_detected"
    refused(refresher.refresh(web_app, t2))


def test_the_parent_just_inside_the_overlap_period(refresher, web_app):
    rotating(web_app.application, leeway=10)
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]
    backdate_use(t1, 8)

    assert ok(refresher.refresh(web_app, t1))["refresh_token"] == t2


def test_two_tabs_never_revoke_each_other(refresher, web_app):
    # Complaint 3: a family per code exchange.
    rotating(web_app.application)
    tab_a = refresher.start(web_app)["refresh_token"]
    tab_b = refresher.start(web_app)["refresh_token"]

    for _ in range(3):
        tab_a = ok(refresher.refresh(web_app, tab_a))["refresh_token"]
        tab_b = ok(refresher.refresh(web_app, tab_b))["refresh_token"]

    assert not RefreshTokenFamily.objects.filter(revoked_at__isnull=False).exists()


def test_reuse_is_logged_with_the_family_never_the_token(refresher, web_app, caplog):
    rotating(web_app.application)
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]

    with caplog.at_level(logging.INFO):
        refresher.refresh(web_app, t1)

    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    expected = (
        f"refresh token refused for client {web_app.client_id}: reuse_detected "
        f"(family {family().pk})"
    )
    assert expected in lines
    text = caplog.text
    assert t1 not in text and t2 not in text


# --- non-rotating --------------------------------------------------------------------------


def test_non_rotating_renews_the_idle_expiry(refresher, web_app):
    configure_refresh(
        web_app.application,
        refresh_expiration_type="expiring",
        refresh_infinite_idle_token_lifetime=False,
        refresh_idle_token_lifetime=3600,
    )
    token = refresher.start(web_app)["refresh_token"]
    first_deadline = RefreshToken.objects.get().idle_expires_at
    RefreshToken.objects.update(idle_expires_at=timezone.now() + dt.timedelta(seconds=5))

    ok(refresher.refresh(web_app, token))

    renewed = RefreshToken.objects.get().idle_expires_at
    assert renewed > timezone.now() + dt.timedelta(seconds=3000)
    assert abs((renewed - first_deadline).total_seconds()) < 600


# --- lifetimes -----------------------------------------------------------------------------


def test_defaults_are_infinite(refresher, web_app):
    refresher.start(web_app)

    assert family().expires_at is None
    assert RefreshToken.objects.get().idle_expires_at is None


def test_absolute_expiry_is_fixed_when_the_family_starts(refresher, web_app):
    configure_refresh(
        web_app.application,
        refresh_rotation_type="rotating",
        refresh_expiration_type="expiring",
        refresh_infinite_token_lifetime=False,
        refresh_token_lifetime=7200,
        refresh_idle_token_lifetime=3600,
    )
    t1 = refresher.start(web_app)["refresh_token"]
    expires_at = family().expires_at
    assert expires_at is not None
    assert abs((expires_at - family().created_at).total_seconds() - 7200) < 1

    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]

    assert family().expires_at == expires_at  # rotation never extends it
    RefreshTokenFamily.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused(refresher.refresh(web_app, t2))
    assert family().revoked_at is None  # expired, not revoked


def test_idle_expiry(refresher, web_app, caplog):
    configure_refresh(
        web_app.application,
        refresh_rotation_type="rotating",
        refresh_expiration_type="expiring",
        refresh_infinite_idle_token_lifetime=False,
        refresh_idle_token_lifetime=600,
    )
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]
    child = RefreshToken.objects.get(generation=2)
    assert child.idle_expires_at > timezone.now() + dt.timedelta(seconds=500)
    RefreshToken.objects.filter(pk=child.pk).update(
        idle_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    with caplog.at_level(logging.INFO):
        refused(refresher.refresh(web_app, t2))

    assert f"idle_expired (family {family().pk})" in caplog.text


def test_a_maximum_lifetime_configured_later_applies_at_the_next_exchange(refresher, web_app):
    token = refresher.start(web_app)["refresh_token"]
    assert family().expires_at is None
    configure_refresh(
        web_app.application,
        refresh_expiration_type="expiring",
        refresh_infinite_token_lifetime=False,
        refresh_token_lifetime=3600,
        refresh_idle_token_lifetime=3600,
    )

    ok(refresher.refresh(web_app, token))

    assert family().expires_at is not None


# --- settings changed under a family (section 4.3) -----------------------------------------


def test_rotation_switched_on_converts_the_family(refresher, web_app):
    t1 = refresher.start(web_app)["refresh_token"]
    ok(refresher.refresh(web_app, t1))
    rotating(web_app.application)

    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]

    assert t2 != t1 and family().rotating
    ok(refresher.refresh(web_app, t2))
    refused(refresher.refresh(web_app, t1))  # the old non-rotating token is reuse now
    assert family().revoked_reason == "reuse_detected"


def test_rotation_switched_off_issues_one_non_rotating_token(refresher, web_app):
    rotating(web_app.application)
    t1 = refresher.start(web_app)["refresh_token"]
    t2 = ok(refresher.refresh(web_app, t1))["refresh_token"]
    configure_refresh(web_app.application, refresh_rotation_type="non-rotating")

    t3 = ok(refresher.refresh(web_app, t2))["refresh_token"]

    assert not family().rotating
    assert "refresh_token" not in ok(refresher.refresh(web_app, t3))
    refused(refresher.refresh(web_app, t2))
    refused(refresher.refresh(web_app, t1))


# --- revocation from elsewhere -------------------------------------------------------------


def test_a_replayed_code_revokes_its_family(refresher, web_app, make_code, post_token):
    from tests.applications.conftest import CALLBACK, OFFLINE_SCOPES

    code = make_code.issue(web_app.application, audience=ORDERS, scopes=OFFLINE_SCOPES)
    params = {
        "grant_type": "authorization_code",
        "client_id": web_app.client_id,
        "client_secret": web_app.secret,
        "code": code,
        "redirect_uri": CALLBACK,
    }
    token = ok(post_token(params))["refresh_token"]

    assert post_token(params).status_code == 403

    assert family().revoked_reason == "code_reused"
    refused(refresher.refresh(web_app, token))


def test_deleting_the_grant_revokes_its_refresh_tokens(refresher, web_app, end_user):
    token = refresher.start(web_app)["refresh_token"]
    other_api_token = refresher.start(web_app, audience="")  # no API: no refresh token
    assert "refresh_token" not in other_api_token
    grant = user_grants.record(end_user, web_app.application, ORDERS, ["read:orders"])

    user_grants.revoke(grant)

    assert family().revoked_reason == "grant_revoked"
    refused(refresher.refresh(web_app, token))


def test_revoke_all_grants_of_a_user(refresher, web_app, end_user):
    token = refresher.start(web_app)["refresh_token"]
    user_grants.record(end_user, web_app.application, ORDERS, ["read:orders"])

    user_grants.revoke_all(end_user)

    refused(refresher.refresh(web_app, token))


# --- the 200 limit -------------------------------------------------------------------------


def test_at_most_200_active_families_per_user_and_application(
    refresher, web_app, end_user, user_session, caplog
):
    now = timezone.now()
    for offset in range(200):
        refresh_tokens.issue(
            application=web_app.application,
            user=end_user,
            audience=ORDERS,
            scopes=["offline_access"],
            session_id=user_session.id,
            auth_time=now,
            code_digest="",
            now=now - dt.timedelta(seconds=1000 - offset),
        )
    oldest = RefreshTokenFamily.objects.order_by("created_at").first()

    with caplog.at_level(logging.INFO):
        token = refresher.start(web_app)["refresh_token"]

    active = RefreshTokenFamily.objects.filter(revoked_at__isnull=True)
    assert active.count() == 200
    oldest.refresh_from_db()
    assert oldest.revoked_reason == "limit"
    assert f"refresh token family {oldest.pk} of client {web_app.client_id} revoked: limit" in (
        caplog.text
    )
    ok(refresher.refresh(web_app, token))


def test_the_limit_counts_per_application(refresher, web_app, spa, end_user, user_session):
    now = timezone.now()
    for _ in range(200):
        refresh_tokens.issue(
            application=spa.application,
            user=end_user,
            audience=ORDERS,
            scopes=["offline_access"],
            session_id=user_session.id,
            auth_time=now,
            code_digest="",
            now=now,
        )

    refresher.start(web_app)

    assert not RefreshTokenFamily.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize("reason", refresh_tokens.REASONS)
def test_every_reason_fits_the_column(reason):
    assert len(reason) <= RefreshTokenFamily._meta.get_field("revoked_reason").max_length
