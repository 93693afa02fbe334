"""End-user sign-in sessions (AUTH0_USER_FLOWS.md section 1.6): start, find, end.

The browser holds a random 256-bit secret in its own cookie (users/session_cookie.py); the
database holds its HMAC digest (keys/digests.py). A new sign-in always makes a new session
and a new secret, so a value planted before sign-in is worth nothing (session fixation).
Lifetimes come from settings: USER_SESSION_LIFETIME (absolute, seconds, 168 h by default)
and USER_SESSION_IDLE_LIFETIME (idle, seconds, 72 h by default), Auth0's tenant defaults.
"""

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from keys import digests
from logs import audit
from users.models import Session, User

logger = logging.getLogger(__name__)

PURPOSE = "user-session"
# Why staff or the Management API ended a session, as logged.
MANAGEMENT_ENDED = "management_ended"
CONSOLE_ENDED = "console_ended"
# Moving the idle deadline is a write; do it at most this often per session (seconds).
TOUCH_INTERVAL = 60


def _lifetimes() -> tuple[dt.timedelta, dt.timedelta]:
    return (
        dt.timedelta(seconds=settings.USER_SESSION_LIFETIME),
        dt.timedelta(seconds=settings.USER_SESSION_IDLE_LIFETIME),
    )


def start(
    user: User,
    *,
    ip: str | None = None,
    user_agent: str = "",
    now: dt.datetime | None = None,
) -> tuple[Session, str]:
    """Signs `user` in: a new session and the cookie secret for it (shown to nobody else).

    Also records the login on the user (last_login, last_ip, logins_count), in the same
    transaction.
    """
    now = now or timezone.now()
    absolute, idle = _lifetimes()
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        session = Session.objects.create(
            secret_digest=digests.digest(PURPOSE, secret),
            user=user,
            created_at=now,
            authenticated_at=now,
            last_interacted_at=now,
            idle_expires_at=min(now + idle, now + absolute),
            expires_at=now + absolute,
            ip=ip,
            user_agent=user_agent[:512],
        )
        User.objects.filter(pk=user.pk).update(
            last_login=now, last_ip=ip, logins_count=F("logins_count") + 1
        )
    return session, secret


def find(secret: str, now: dt.datetime | None = None) -> Session | None:
    """The live session whose cookie secret is `secret`, with its user loaded, or None
    (unknown, expired, idle too long, or its user blocked). Renews the idle deadline at most
    once per TOUCH_INTERVAL."""
    if not secret or len(secret) > 128:
        return None
    now = now or timezone.now()
    session = (
        Session.objects.active(now)
        .select_related("user")
        .filter(secret_digest=digests.digest(PURPOSE, secret))
        .first()
    )
    if session is None or session.user.blocked:
        return None
    if (now - session.last_interacted_at).total_seconds() >= TOUCH_INTERVAL:
        _, idle = _lifetimes()
        session.last_interacted_at = now
        session.idle_expires_at = min(now + idle, session.expires_at)
        Session.objects.filter(pk=session.pk).update(
            last_interacted_at=now, idle_expires_at=session.idle_expires_at
        )
    return session


def add_client(session: Session, client_id: str) -> None:
    """Records that `session` signed in to the application `client_id` (Auth0's
    session `clients`)."""
    if client_id not in session.client_ids:
        session.client_ids = [*session.client_ids, client_id]
        Session.objects.filter(pk=session.pk).update(client_ids=session.client_ids)


def end(secret: str) -> None:
    """Signs out: deletes the session of that cookie secret, if any. Idempotent."""
    if secret and len(secret) <= 128:
        Session.objects.filter(secret_digest=digests.digest(PURPOSE, secret)).delete()


def end_all(user: User) -> int:
    """Deletes every session of `user` (blocking, deleting, password change); returns how many."""
    deleted, _ = Session.objects.filter(user=user).delete()
    return deleted


def revoke(session: Session, reason: str) -> None:
    """Ends one session on behalf of staff or the Management API: its cookie stops working at
    once (`find` looks the row up on every request). Logged with `reason`, the session id
    (public: the `sid` of ID tokens) and the user id, never the cookie."""
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).delete()
        user_id = session.user.user_id
        audit.changed(
            "Revoke a session",
            object_type="session",
            object_id=str(session.pk),
            user_id=user_id,
            details={"reason": reason},
        )
    logger.info("session %s of user %s ended: %s", session.pk, session.user_id, reason)


def revoke_all(user: User, reason: str) -> int:
    """Ends every session of `user` (as `revoke`); returns how many."""
    with transaction.atomic():
        ids = list(Session.objects.filter(user=user).values_list("pk", flat=True))
        Session.objects.filter(pk__in=ids).delete()
        audit.changed(
            "Revoke a user's sessions",
            object_type="user",
            object_id=user.user_id,
            user_id=user.user_id,
            details={"reason": reason, "sessions": audit.ids(ids)},
        )
    for session_id in ids:
        logger.info("session %s of user %s ended: %s", session_id, user.pk, reason)
    return len(ids)
