"""The hand-written statements of a refresh-token exchange (applications/refresh_exchange.py
decides what they mean): read a token, or a family's newest one, with its family and user,
optionally locking the family, and rotate a family's newest token in one statement on
PostgreSQL, committed asynchronously unless REFRESH_TOKEN_ASYNC_COMMIT is off
(`rotate_newest`).

Hand-written for the reasons applications/prepared_sql.py gives: they run on every exchange,
and building them through the ORM costs more CPU than running them. Table and column names
come from the models; values are always bound parameters.
"""

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from apis.models import Api
from applications import prepared_sql
from applications.models import RefreshToken, RefreshTokenFamily
from users.models import User


def _joined(extra: str = "") -> str:
    # Token, family and user, every column (as `_token` reads them), joined; `extra`:
    # one more column after them.
    token = RefreshToken._meta
    family = RefreshTokenFamily._meta
    user = User._meta
    columns = (
        f"{prepared_sql.columns(RefreshToken, 't')}, "
        f"{prepared_sql.columns(RefreshTokenFamily, 'f')}, {prepared_sql.columns(User, 'u')}"
        + (f", {extra}" if extra else "")
    )
    return (
        f"SELECT {columns} FROM {token.db_table} t "  # noqa: S608 - names from models
        f"JOIN {family.db_table} f ON f.{family.pk.column} = t.{token.get_field('family').column} "
        f"JOIN {user.db_table} u ON u.{user.pk.column} = f.{family.get_field('user').column}"
    )


@cache
def _lock_sql(for_update: bool) -> str:
    # Hand-written (applications/prepared_sql.py says why): this read runs on every exchange.
    digest = RefreshToken._meta.pk.column
    return f"{_joined()} WHERE t.{digest} = %s" + (" FOR UPDATE OF f" if for_update else "")


@cache
def _newest_sql(for_update: bool) -> str:
    family = RefreshTokenFamily._meta
    generation = prepared_sql.column(RefreshTokenFamily, "generation")
    condition = (
        f"f.{family.pk.column} = %s "
        f"AND t.{prepared_sql.column(RefreshToken, 'generation')} = f.{generation}"
    )
    return f"{_joined()} WHERE {condition}" + (" FOR UPDATE OF f" if for_update else "")


# PostgreSQL's documented way to relax one transaction's durability: a setting made with
# set_config(..., true) lasts until the end of the current transaction, here the statement's
# own (autocommit), and the commit reads it. A CTE with a volatile function is never inlined,
# and the UPDATE's WHERE refers to it, so it has run whenever the statement writes.
_ASYNC_COMMIT = "commit_mode AS (SELECT set_config('synchronous_commit', 'off', true)), "


@cache
def _one_statement_sql(asynchronous_commit: bool) -> str:
    # See rotate_newest. Every part of a statement sees the same snapshot, so the
    # final SELECT returns the rows as they were before the UPDATE, and `advanced` says
    # whether it changed the family. Column names come from the models.
    token = RefreshToken._meta
    family = RefreshTokenFamily._meta
    user = User._meta
    api = Api._meta

    def column(meta: Any, name: str) -> str:
        return prepared_sql.column(meta.model, name)

    f_generation = column(family, "generation")
    commit_mode = _ASYNC_COMMIT if asynchronous_commit else ""
    commit_mode_ran = "AND EXISTS (SELECT 1 FROM commit_mode) " if asynchronous_commit else ""
    return (
        f"WITH {commit_mode}advanced AS ("  # noqa: S608 - names from models, values bound
        f"UPDATE {family.db_table} f SET {f_generation} = f.{f_generation} + 1, "
        f"{column(family, 'rotated_at')} = %(now)s, "
        f"{column(family, 'last_exchanged_at')} = %(now)s "
        f"FROM {token.db_table} t, {user.db_table} u "
        f"WHERE t.{token.pk.column} = %(digest)s "
        f"AND f.{family.pk.column} = t.{column(token, 'family')} "
        f"AND u.{user.pk.column} = f.{column(family, 'user')} "
        f"AND f.{f_generation} = t.{column(token, 'generation')} "
        f"AND f.{column(family, 'revoked_at')} IS NULL "
        f"AND f.{column(family, 'rotating')} "
        f"AND f.{column(family, 'application')} = %(application)s "
        f"AND (f.{column(family, 'expires_at')} > %(now)s "
        f"OR (f.{column(family, 'expires_at')} IS NULL AND %(no_absolute_lifetime)s)) "
        f"AND (t.{column(token, 'idle_expires_at')} IS NULL "
        f"OR t.{column(token, 'idle_expires_at')} > %(now)s) "
        f"AND NOT u.{column(user, 'blocked')} "
        f"AND (f.{column(family, 'audience')} IN ('', %(userinfo)s) OR EXISTS ("
        f"SELECT 1 FROM {api.db_table} a WHERE a.{column(api, 'identifier')} = "
        f"f.{column(family, 'audience')} AND a.{column(api, 'allow_offline_access')})) "
        f"{commit_mode_ran}RETURNING f.{family.pk.column}, f.{f_generation}), "
        f"child AS (INSERT INTO {token.db_table} ({token.pk.column}, "
        f"{column(token, 'family')}, {column(token, 'generation')}, "
        f"{column(token, 'issued_at')}, {column(token, 'idle_expires_at')}, "
        f"{column(token, 'child_digest')}) "
        f"SELECT %(child)s, {family.pk.column}, {f_generation}, %(now)s, %(idle_expires_at)s, "
        "%(grandchild)s "
        "FROM advanced) "
        f"{_joined('(SELECT count(*) FROM advanced)')} WHERE t.{token.pk.column} = %(digest)s"
    )


_FAMILY_USER = RefreshTokenFamily._meta.get_field("user")


def _family(values: Sequence[object], db: BaseDatabaseWrapper) -> RefreshTokenFamily:
    # The family and its user from one row of `_joined`'s columns.
    tokens = len(RefreshToken._meta.concrete_fields)
    families = tokens + len(RefreshTokenFamily._meta.concrete_fields)
    family = prepared_sql.instance(RefreshTokenFamily, values[tokens:families], db)
    # As select_related caches a related row (the descriptor's setter re-checks what a row
    # just read cannot get wrong).
    _FAMILY_USER.set_cached_value(family, prepared_sql.instance(User, values[families:], db))
    return family


def _token(values: Sequence[object]) -> RefreshToken:
    # The token, its family and the family's user from one row of `_joined`'s columns.
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each lookup is a thread-local's
    tokens = len(RefreshToken._meta.concrete_fields)
    row = prepared_sql.instance(RefreshToken, values[:tokens], db)
    row.family = _family(values, db)
    return row


def read(digest: str, *, for_update: bool) -> RefreshToken | None:
    """The token with its family and user, or None; one query. `for_update` (inside a
    transaction) locks the family's row first, so that its generation and `rotated_at` are
    the committed ones: on PostgreSQL a concurrent exchange of the same family waits here
    (every write to a family's tokens is made under that lock, or as
    `rotate_newest`'s compare-and-set, which takes it too, so the token's own row
    needs no lock); SQLite has no FOR UPDATE, and its IMMEDIATE transaction already holds
    the database's write lock."""
    locks = for_update and connection.features.has_select_for_update_of
    rows = prepared_sql.fetchall(_lock_sql(locks), [digest])
    return _token(rows[0]) if rows else None


def read_newest(family_id: str, *, for_update: bool) -> RefreshToken | None:
    """The newest token of family `family_id` with its family and user, or None; one query.
    `for_update` locks the family's row as `read` does. When another exchange advanced the
    family's generation while this one waited for the lock, PostgreSQL re-checks the join
    with the family's new row and the old token row, which no longer matches: None, and the
    caller must read again."""
    locks = for_update and connection.features.has_select_for_update_of
    rows = prepared_sql.fetchall(_newest_sql(locks), [family_id])
    return _token(rows[0]) if rows else None


def rotate_newest(
    digest: str,
    *,
    application_id: int,
    now: dt.datetime,
    no_absolute_lifetime: bool,
    userinfo_audience: str,
    issued_digest: str,
    issued_child_digest: str,
    idle_expires_at: dt.datetime | None,
    asynchronous_commit: bool,
) -> tuple[RefreshTokenFamily, bool] | None:
    """One statement, on PostgreSQL and outside a transaction (autocommit): reads the token
    whose digest is `digest` with its family and user and, when the token is the family's
    newest and nothing stands in the way, advances the family to the next generation
    (`rotated_at` and `last_exchanged_at` = `now`) and inserts the child (`issued_digest`,
    issued `now`, idle until `idle_expires_at`, its own child's digest `issued_child_digest`).
    Nothing stands in the way when the family belongs to `application_id`, is not revoked,
    rotates, is within its absolute expiry (or has none and `no_absolute_lifetime`), the
    token is within its idle expiry, the user is not blocked, and the family's audience is
    '' or `userinfo_audience` or an API that allows offline access.

    The advance is a compare-and-set on the family's generation: the UPDATE takes the
    family's row lock and re-tests its conditions on the row it then sees, so of two
    exchanges of the same token exactly one advances it. Returns None when no such token
    exists, else the family (its user loaded) as it was before the statement (every part of
    a statement sees the same snapshot) and whether the statement advanced it.

    `asynchronous_commit` commits the statement without waiting for its WAL flush
    (`synchronous_commit = off` for this transaction alone); what a crash can then lose:
    applications/refresh_token_recovery.py."""
    rows = prepared_sql.fetchall(
        _one_statement_sql(asynchronous_commit),
        {
            "digest": digest,
            "now": now,
            "application": application_id,
            "no_absolute_lifetime": no_absolute_lifetime,
            "userinfo": userinfo_audience,
            "child": issued_digest,
            "grandchild": issued_child_digest,
            "idle_expires_at": idle_expires_at,
        },
    )
    if not rows:
        return None
    *values, advanced = rows[0]
    return _family(values, connections[DEFAULT_DB_ALIAS]), bool(advanced)
