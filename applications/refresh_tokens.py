"""Refresh tokens (RFC 6749 sections 1.5, 6 and 10.4; RFC 9700 section 4.14;
AUTH0_USER_FLOWS.md sections 4.1, 4.3 and 4.4): issue a family, revoke families, keep at
most MAX_ACTIVE_FAMILIES per user and application, and the reasons a token is refused or
revoked. Exchanging a token (rotation, the overlap period, reuse detection) is
applications/refresh_exchange.py.

A family holds the refresh tokens of one code exchange (one authorization), one after
another; two tabs that signed in separately have two families and never revoke each other
(section 9, complaint 3). A token is the family's id and a 256-bit secret, stored only as an
HMAC digest (applications/refresh_token_format.py). The first token of a family is random;
each later one is derived from its parent (an HMAC of the parent under a server key), so the
server can hand out the same child again without storing it: a retry inside the overlap
period (`leeway`) gets exactly the token the lost response carried (section 9, complaint 5;
the idempotent option of section 4.4), and a family never forks into two live branches.

Every refusal and revocation is logged with a reason code (REASONS), the family id and the
client id, never a token (section 9, complaint 14).
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q

from applications import refresh_settings
from applications.models import (
    Application,
    RefreshToken,
    RefreshTokenFamily,
    new_refresh_token_family_id,
)
from applications.refresh_token_format import child_digest, first_token
from applications.refresh_token_format import token_digest as token_digest
from users.models import User

logger = logging.getLogger(__name__)

# Auth0: "a limit of 200 refresh tokens per user per application"; the oldest is revoked.
MAX_ACTIVE_FAMILIES = 200

# Why a refresh token was refused or revoked, as logged and stored in revoked_reason.
UNKNOWN = "unknown"
FOREIGN_CLIENT = "foreign_client"
REVOKED = "revoked"
EXPIRED = "expired"
IDLE_EXPIRED = "idle_expired"
REUSE_DETECTED = "reuse_detected"
SUPERSEDED = "superseded"
LIMIT = "limit"
CODE_REUSED = "code_reused"
GRANT_REVOKED = "grant_revoked"
REASONS = (
    UNKNOWN,
    FOREIGN_CLIENT,
    REVOKED,
    EXPIRED,
    IDLE_EXPIRED,
    REUSE_DETECTED,
    SUPERSEDED,
    LIMIT,
    CODE_REUSED,
    GRANT_REVOKED,
)


class Refused(Exception):
    """The token cannot be exchanged; `reason` is one of REASONS (logged, never shown: the
    client gets Auth0's one text for all of them)."""

    def __init__(self, reason: str, family_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.family_id = family_id


def deadline(now: dt.datetime, seconds: int | None) -> dt.datetime | None:
    """`now` plus `seconds`, or None (no deadline) when `seconds` is None."""
    return None if seconds is None else now + dt.timedelta(seconds=seconds)


def grant_audience(family_audience: str) -> str:
    """The user grant's audience for a family's: the API, or the tenant's userinfo."""
    return family_audience or settings.USERINFO_AUDIENCE


def issue(
    *,
    application: Application,
    user: User,
    audience: str,
    scopes: Sequence[str],
    session_id: str,
    auth_time: dt.datetime,
    code_digest: str,
    now: dt.datetime,
) -> str:
    """Starts a family for one code exchange and returns its first token, which exists
    nowhere else. Call it inside the transaction that spends the code, so a racing replay
    of the code finds the family and revokes it. Whether a token is due at all (section 4.1)
    is the caller's decision. The user's oldest families beyond the limit are revoked."""
    _enforce_limit(application, user, now)
    family_id = new_refresh_token_family_id()
    token = first_token(family_id)
    family = RefreshTokenFamily.objects.create(
        id=family_id,
        user=user,
        application=application,
        audience=audience,
        scopes=list(scopes),
        session_id=session_id,
        code_digest=code_digest,
        rotating=refresh_settings.is_rotating(application),
        auth_time=auth_time,
        generation=1,
        created_at=now,
        expires_at=deadline(now, refresh_settings.absolute_lifetime(application)),
    )
    idle_deadline = deadline(now, refresh_settings.idle_lifetime(application))
    token_row(family, token, now, idle_deadline).save(force_insert=True)
    logger.info(
        "refresh token family %s issued to client %s (%s)",
        family.id,
        application.client_id,
        "rotating" if family.rotating else "non-rotating",
    )
    return token


def token_row(
    family: RefreshTokenFamily, token: str, now: dt.datetime, idle_expires_at: dt.datetime | None
) -> RefreshToken:
    """An unsaved row for `token` as the family's generation `family.generation`, issued
    `now`, idle until `idle_expires_at`, and keeping the digest its child will have
    (applications/refresh_token_recovery.py)."""
    return RefreshToken(
        digest=token_digest(token),
        family=family,
        generation=family.generation,
        issued_at=now,
        idle_expires_at=idle_expires_at,
        child_digest=child_digest(token, family.pk),
    )


def _enforce_limit(application: Application, user: User, now: dt.datetime) -> None:
    """Revokes the oldest active families so that one more keeps the user at
    MAX_ACTIVE_FAMILIES for this application (Auth0's 200-token limit, section 4.1).
    Active: not revoked and not past the absolute expiry (idle expiry is per token and not
    counted). Two exchanges racing at the limit may both pass: the limit is a bound on
    growth, not a security boundary."""
    active = RefreshTokenFamily.objects.filter(
        user=user, application=application, revoked_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    excess = list(
        active.order_by("-created_at", "-id").values_list("id", flat=True)[
            MAX_ACTIVE_FAMILIES - 1 :
        ]
    )
    if excess:
        RefreshTokenFamily.objects.filter(pk__in=excess, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=LIMIT
        )
        for family_id in excess:
            logger.info(
                "refresh token family %s of client %s revoked: %s (more than %d active)",
                family_id,
                application.client_id,
                LIMIT,
                MAX_ACTIVE_FAMILIES,
            )


def revoke_families(reason: str, now: dt.datetime, **filters: object) -> int:
    """Revokes the active families matching `filters`, logging each with `reason`; returns
    how many."""
    query = RefreshTokenFamily.objects.filter(revoked_at__isnull=True, **filters)
    rows = list(query.values_list("id", "application__client_id"))
    if not rows:
        return 0
    RefreshTokenFamily.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        revoked_at=now, revoked_reason=reason
    )
    for family_id, client_id in rows:
        logger.warning(
            "refresh token family %s of client %s revoked: %s", family_id, client_id, reason
        )
    return len(rows)


def revoke_for_code(code_digest: str, now: dt.datetime) -> int:
    """Revokes the families issued from a replayed code (RFC 6749 section 4.1.2; section 9,
    complaint 8)."""
    if not code_digest:
        return 0
    return revoke_families(CODE_REUSED, now, code_digest=code_digest)


def revoke_for_grant(
    user_id: str, application_id: int, audience: str, reason: str, now: dt.datetime
) -> int:
    """Revokes the families of a user's grant (user, client, audience; section 4.4)."""
    audiences = [audience]
    if audience == settings.USERINFO_AUDIENCE:
        audiences.append("")  # a family without an API belongs to the userinfo grant
    return revoke_families(
        reason, now, user_id=user_id, application_id=application_id, audience__in=audiences
    )
