"""Rotations a database crash lost, recognised and written again.

The common rotation commits asynchronously on PostgreSQL (applications/refresh_exchange.py,
`_rotate_in_one_statement`), so a crash of the database server can lose the rotations of its
last moments: the client holds a child the database never kept, and the parent is the
family's newest token again. The child is recognised when the client presents it (or
revokes it): the token names its family (applications/refresh_token_format.py) and the
newest token's row keeps its child's digest. The rotation is then written again, under the
family's row lock and committed synchronously, and the exchange goes on, so the parent is
spent again and a thief's later use of it is reuse (AUTH0_USER_FLOWS.md section 4.4). One
lost rotation per family is recognised: a row keeps its child's digest, not its
grandchild's. What is left, and why the trade was made: README, "Durability".
"""

import datetime as dt
import hmac
import logging

from applications import prepared_sql, refresh_token_queries
from applications.models import RefreshToken
from applications.refresh_token_format import family_id_of
from applications.refresh_tokens import token_row

logger = logging.getLogger(__name__)


def lost_child_parent(token: str, digest: str) -> RefreshToken | None:
    """The newest token (with its family and user) of the rotating family that `token`
    (whose digest is `digest`) names, when `token` is its child: what a lost rotation
    leaves. None for any other token, tokens with a row included. One query, no lock; only
    a token that names a family costs it."""
    family_id = family_id_of(token)
    if family_id is None:
        return None
    newest = refresh_token_queries.read_newest(family_id, for_update=False)
    if newest is None or not newest.family.rotating:
        return None  # non-rotating tokens are never rotated asynchronously
    # An empty child_digest (tokens issued before it was kept) never matches.
    matches = hmac.compare_digest(newest.child_digest, digest)
    return newest if matches else None


def locked_parent(token: str, digest: str) -> RefreshToken | None:
    """As `lost_child_parent`, with the family's row locked (inside a transaction) and the
    newest token read again under the lock; None also when another exchange advanced the
    family's generation after the first look (it may have restored or rotated to this very
    token: read the token again). Forged tokens take no lock: they never match."""
    parent = lost_child_parent(token, digest)
    if parent is None:
        return None
    locked = refresh_token_queries.read_newest(parent.family_id, for_update=True)
    return locked if locked is not None and locked.digest == parent.digest else None


def restore(parent: RefreshToken, token: str, client_id: str, now: dt.datetime) -> RefreshToken:
    """Writes the lost rotation of `parent` (from `locked_parent`; the caller has checked
    the family may be exchanged) again: `token` becomes the next generation, issued `now`,
    with its parent's idle expiry (the earliest it can have had), and the parent is spent
    at `now`. Returns the new row, for the state machine to exchange."""
    family = parent.family
    family.generation += 1
    family.rotated_at = now
    restored = token_row(family, token, now, parent.idle_expires_at)
    prepared_sql.insert_and_update(restored, family, ["generation", "rotated_at"])
    logger.warning(
        "refresh token family %s of client %s: generation %d restored (its rotation was lost)",
        family.pk,
        client_id,
        family.generation,
    )
    return restored
