"""Exchanging a refresh token (RFC 6749 section 6; RFC 9700 section 4.14; AUTH0_USER_FLOWS.md
sections 4.3 and 4.4): rotation, the overlap period and reuse detection. Families, their
tokens and their revocation are applications/refresh_tokens.py.

The state machine (section 4.4), run with the family's row locked (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's transactions are IMMEDIATE, so there the whole exchange is serialised).
Its most common case, the newest token of a rotating family, is first tried on PostgreSQL
as one statement that advances the family only if its generation is still the token's (a
compare-and-set under the same row lock; `_rotate_in_one_statement`); when that changes
nothing, the locked path decides.
A token is spent when the family's generation is past its own: every token but the newest
has been exchanged, and the newest one's parent was spent when it was issued, at the family's
`rotated_at`. So the family's row alone decides, and a rotation writes that row and inserts
the child, nothing else:
- the family revoked, past its absolute expiry (fixed when it started) or the token past its
  idle expiry (renewed with each token): refused;
- rotating, the token is the newest: generation n+1 is issued, which spends it;
- rotating, the token is the parent of the newest one, spent at most `leeway` seconds ago
  (`rotated_at`): the newest one is issued again (the overlap period; only the immediate
  predecessor, section 9 complaint 6);
- rotating, anything else (an older token, or the parent after the overlap period): reuse
  detected. The family is revoked and the user's grant for the client and audience deleted
  with its other families ("the entire set of refresh tokens issued since that invalidated
  token was issued will immediately be revoked along with the grant", section 4.4);
- non-rotating: the same token is used again; its idle expiry is renewed.
Tokens are ordered by a generation counter and the server's `rotated_at`, never by `iat`
(complaint 4).

Settings changed under a family (section 4.3, the simple version): a non-rotating family
exchanged while the client rotates becomes rotating at that exchange (its token is spent and
a rotating child issued; other families convert at their own next exchange, none is revoked
for it). A rotating family exchanged while the client no longer rotates becomes
non-rotating: a new token is issued and every earlier one stops working. A family without an
absolute expiry gets one at its next exchange when the client now has a maximum lifetime.

Every refusal is logged with a reason code (refresh_tokens.REASONS), the family id and the
client id, never a token (section 9, complaint 14).

Durability: the one statement commits asynchronously on PostgreSQL (unless
REFRESH_TOKEN_ASYNC_COMMIT=false); everything else here synchronously. What a crash can then
lose, and how it is recovered: applications/refresh_token_recovery.py.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction

from applications import (
    prepared_sql,
    refresh_settings,
    refresh_token_queries,
    refresh_token_recovery,
)
from applications.models import Application, RefreshToken, RefreshTokenFamily, UserGrant
from applications.refresh_token_format import (
    MAX_TOKEN_CHARS,
    bare_child_token,
    child_digest,
    child_token,
    family_id_of,
    token_digest,
)
from applications.refresh_tokens import (
    EXPIRED,
    FOREIGN_CLIENT,
    GRANT_REVOKED,
    IDLE_EXPIRED,
    REUSE_DETECTED,
    REVOKED,
    SUPERSEDED,
    UNKNOWN,
    Refused,
    deadline,
    grant_audience,
    revoke_families,
    revoke_for_grant,
    token_row,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Exchanged:
    """A successful exchange: the family (its user loaded) and the refresh token to return,
    None for a non-rotating family (the client keeps the one it has)."""

    family: RefreshTokenFamily
    refresh_token: str | None


def _reuse_detected(family: RefreshTokenFamily, now: dt.datetime) -> Refused:
    """Section 4.4: revoke the family and delete the grant with its other families."""
    revoke_families(REUSE_DETECTED, now, pk=family.pk)
    audience = grant_audience(family.audience)
    UserGrant.objects.filter(
        user_id=family.user_id, application_id=family.application_id, audience=audience
    ).delete()
    revoke_for_grant(family.user_id, family.application_id, audience, GRANT_REVOKED, now)
    return Refused(REUSE_DETECTED, family.pk)


def exchange(
    token: str,
    *,
    application: Application,
    check: Callable[[RefreshTokenFamily], T],
    now: dt.datetime,
    scope_requested: bool = True,
) -> tuple[Exchanged, T]:
    """Runs the state machine for `token` presented by `application` (see the module
    docstring) and returns what to issue with what `check(family)` returned. `check` runs
    after reuse detection and before anything of the exchange is written (a lost rotation
    being restored is written first, in the same transaction, and rolled back with it): it
    may raise to refuse without spending the token (a blocked user, a scope the family
    lacks). Raises Refused after any revocation for reuse has committed, so it sticks.

    `scope_requested` False promises that `check` refuses nothing but a blocked user or a
    family whose API is gone or no longer allows offline access (refresh_grant's check when
    the request names no scope). Then the common case, the newest token of a rotating
    family, is one statement that tests those too (`_rotate_in_one_statement`), and `check`
    runs after it: it can then refuse only in a race with the change that makes it refuse,
    when refusing is right anyway. Every other case takes the family's row lock."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise _logged(Refused(UNKNOWN), application)
    digest = token_digest(token)
    if not scope_requested:
        rotated = _rotate_in_one_statement(digest, token, application, now)
        if rotated is not None:
            return rotated, check(rotated.family)
    refusal: Refused | None = None
    with transaction.atomic():
        row = refresh_token_queries.read(digest, for_update=True)
        try:
            if row is None:
                row = _recovered(token, digest, application, now)
            result = _step(row, token, application, check, now)
        except Refused as error:
            refusal = error
    if refusal is not None:
        raise _logged(refusal, application)
    return result


def _rotate_in_one_statement(
    digest: str, token: str, application: Application, now: dt.datetime
) -> Exchanged | None:
    """The first use of a rotating family's newest token, on PostgreSQL outside any
    transaction, in one statement (refresh_token_queries.rotate_newest): generation n+1 is
    issued only when the state machine's answer is plainly that, i.e. `_step` and `_advance`
    with nothing to refuse, convert or fix (the client's token; the family not revoked,
    within its absolute expiry or without one while the client sets none, rotating while
    the client rotates; the token the newest and within its idle expiry), and refresh_grant's
    check, when no scope is requested, would refuse nothing (the user not blocked, the API
    there and allowing offline access). Returns None whenever the statement advanced nothing
    (no such token, as for a lost rotation's child; any other case; another exchange
    first), for the locked path to decide. One round trip, against four for the locked path
    (BEGIN, the locking read, the writes, COMMIT), committed asynchronously unless
    settings.REFRESH_TOKEN_ASYNC_COMMIT is off (applications/refresh_token_recovery.py)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None  # SQLite's IMMEDIATE transactions serialise exchanges anyway
    if not refresh_settings.is_rotating(application):
        return None
    family_id = family_id_of(token)
    # A bare secret (issued before family ids were part of tokens) is found by digest: the
    # family id is only known after the statement, and the child must be named before it.
    if family_id is None:
        return None
    issued = child_token(token, family_id)
    found = refresh_token_queries.rotate_newest(
        digest,
        application_id=application.pk,
        now=now,
        no_absolute_lifetime=refresh_settings.absolute_lifetime(application) is None,
        userinfo_audience=settings.USERINFO_AUDIENCE,
        issued_digest=token_digest(issued),
        issued_child_digest=child_digest(issued, family_id),
        idle_expires_at=deadline(now, refresh_settings.idle_lifetime(application)),
        asynchronous_commit=settings.REFRESH_TOKEN_ASYNC_COMMIT,
    )
    if found is None:
        return None  # unknown, or a rotation a crash lost: the locked path decides
    family, advanced = found
    if not advanced:
        return None
    # The statement returns the rows as they were before it wrote.
    family.generation += 1
    family.rotated_at = now
    family.last_exchanged_at = now
    return Exchanged(family, issued)


def _logged(refusal: Refused, application: Application) -> Refused:
    log = logger.warning if refusal.reason == REUSE_DETECTED else logger.info
    log(
        "refresh token refused for client %s: %s (family %s)",
        application.client_id,
        refusal.reason,
        refusal.family_id or "-",
    )
    return refusal


def _refuse_if_dead(row: RefreshToken, application: Application, now: dt.datetime) -> None:
    """Raises Refused when `row` cannot be exchanged by `application` whatever its
    generation: another client's, or its family revoked or past its absolute expiry, or the
    token past its idle expiry."""
    family = row.family
    if family.application_id != application.pk:
        raise Refused(FOREIGN_CLIENT, family.pk)
    if family.revoked_at is not None:
        raise Refused(REVOKED, family.pk)
    if family.expires_at is not None and now >= family.expires_at:
        raise Refused(EXPIRED, family.pk)
    if row.idle_expires_at is not None and now >= row.idle_expires_at:
        raise Refused(IDLE_EXPIRED, family.pk)


def _recovered(token: str, digest: str, application: Application, now: dt.datetime) -> RefreshToken:
    """The row of `token`, which had none when first read: the child of a rotation a
    database crash lost, written again (applications/refresh_token_recovery.py), or a row
    another exchange has written since. Raises Refused(UNKNOWN) for any other token, and the
    family's reason when it cannot be exchanged anyway (then nothing is written)."""
    parent = refresh_token_recovery.locked_parent(token, digest)
    if parent is not None:
        _refuse_if_dead(parent, application, now)
        return refresh_token_recovery.restore(parent, token, application.client_id, now)
    # Another exchange of the family may have restored this token (or rotated to it) between
    # the first read and the lock; a token that names no family has no such race.
    row = None
    if family_id_of(token) is not None:
        row = refresh_token_queries.read(digest, for_update=True)
    if row is None:
        raise Refused(UNKNOWN)
    return row


def _step(
    row: RefreshToken,
    token: str,
    application: Application,
    check: Callable[[RefreshTokenFamily], T],
    now: dt.datetime,
) -> tuple[Exchanged, T]:
    _refuse_if_dead(row, application, now)
    family = row.family
    grace = False
    if family.rotating:
        if row.generation != family.generation:  # spent (see the module docstring)
            leeway = application.refresh_leeway
            grace = (
                row.generation == family.generation - 1
                and leeway > 0
                and family.rotated_at is not None
                and now - family.rotated_at <= dt.timedelta(seconds=leeway)
            )
            if not grace:
                raise _reuse_detected(family, now)
    elif row.generation != family.generation:
        # An older token of a family that stopped rotating (section 4.3 migration).
        raise Refused(SUPERSEDED, family.pk)
    checked = check(family)
    if grace:
        # The overlap period: the newest token again, exactly as first issued.
        family.last_exchanged_at = now
        prepared_sql.update(family, ["last_exchanged_at"])
        return Exchanged(family, _issued_again(row, token)), checked
    return _advance(row, token, application, now), checked


def _issued_again(parent: RefreshToken, token: str) -> str:
    """The family's newest token, `parent` (whose token is `token`) being its parent, as
    first issued: derived from the parent again. A parent from before tokens named their
    family (it keeps no child digest) may have had its child derived without the family id,
    by that code: the stored newest token says which (one more query, for those only)."""
    named = child_token(token, parent.family_id)
    if parent.child_digest:
        return named
    bare = bare_child_token(token)
    newest = RefreshToken.objects.filter(
        family_id=parent.family_id, generation=parent.family.generation
    ).values_list("digest", flat=True)
    return bare if token_digest(bare) in newest else named


def _advance(
    row: RefreshToken, token: str, application: Application, now: dt.datetime
) -> Exchanged:
    """The writes of a first use: a rotating family (or one that starts rotating now) issues
    the next generation, which spends the token (the child's INSERT and the family's UPDATE,
    one statement on PostgreSQL); a non-rotating family renews the token's idle expiry; a
    rotating family whose client stopped rotating issues one non-rotating token."""
    family = row.family
    idle_deadline = deadline(now, refresh_settings.idle_lifetime(application))
    family_fields = ["last_exchanged_at"]
    family.last_exchanged_at = now
    if family.expires_at is None:
        absolute = refresh_settings.absolute_lifetime(application)
        if absolute is not None:  # a maximum lifetime configured since (section 4.3)
            family.expires_at = now + dt.timedelta(seconds=absolute)
            family_fields.append("expires_at")
    rotating_now = refresh_settings.is_rotating(application)
    if not (family.rotating or rotating_now):
        row.idle_expires_at = idle_deadline
        prepared_sql.update(row, ["idle_expires_at"])
        prepared_sql.update(family, family_fields)
        return Exchanged(family, None)
    family.generation += 1
    family.rotated_at = now
    issued = child_token(token, family.pk)
    family_fields += ["generation", "rotated_at"]
    if family.rotating != rotating_now:
        logger.info(
            "refresh token family %s of client %s is %s from now on",
            family.pk,
            application.client_id,
            "rotating" if rotating_now else "non-rotating",
        )
        family.rotating = rotating_now
        family_fields.append("rotating")
    child = token_row(family, issued, now, idle_deadline)
    # One round trip on PostgreSQL for both writes (applications/prepared_sql.py).
    prepared_sql.insert_and_update(child, family, family_fields)
    return Exchanged(family, issued)
