"""The login transaction: an authorization request carried through the sign-in and consent
pages (AUTH0_USER_FLOWS.md section 2.1, Auth0's `/u/login?state=<txn>`).

It is the request's own parameters, signed and timestamped with django.core.signing (so it
needs no table), and lives at most an hour, as Auth0's does. Resuming re-validates the whole
request (applications/authorize.py): a client, callback, audience or scope changed or
deleted in the meantime is noticed, and nothing the browser sends can widen what was asked.
The consent step's value also names the user it was shown to.
"""

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core import signing

from applications.authorize import PARAMETERS

LIFETIME = 3600  # seconds (Auth0: a login transaction expires after an hour)
SALT = "gatehouse.login-transaction"
# Signed values far longer than any real transaction are refused before they are unsigned.
MAX_LENGTH = 16_384
SESSION_NOT_FOUND = (
    "Something went wrong: we couldn't find your session. Start again from the application."
)


class TransactionInvalid(Exception):
    """Expired, tampered, truncated or missing: the flow must start again at /authorize."""


@dataclass(frozen=True)
class Transaction:
    """`params`: the authorize request's parameters (lists of values, as a QueryDict has
    them). `started`: when /authorize began it (epoch seconds); a sign-in after it satisfies
    prompt=login and max_age. `user_id`: on the consent step, whose consent is asked."""

    params: dict[str, list[str]]
    started: float
    user_id: str = ""


def begin(params: Mapping[str, Sequence[str]], now: float | None = None) -> Transaction:
    """A transaction for a request validated just now; only the parameters that matter."""
    kept = {name: list(params[name]) for name in PARAMETERS if params.get(name)}
    return Transaction(kept, time.time() if now is None else now)


def dumps(transaction: Transaction) -> str:
    return signing.dumps(
        {"p": transaction.params, "t": transaction.started, "u": transaction.user_id},
        salt=SALT,
        compress=True,
    )


def loads(value: str, now: float | None = None) -> Transaction:
    """The transaction of a signed value, or TransactionInvalid."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        raise TransactionInvalid()
    try:
        data = signing.loads(value, salt=SALT, max_age=LIFETIME)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise TransactionInvalid() from error
    started = data.get("t") if isinstance(data, dict) else None
    if not isinstance(started, int | float) or (now or time.time()) - started > LIFETIME:
        raise TransactionInvalid()
    return Transaction(dict(data["p"]), float(started), str(data.get("u") or ""))


def for_user(transaction: Transaction, user_id: str) -> Transaction:
    """The same transaction, bound to the user who is asked to consent."""
    return Transaction(transaction.params, transaction.started, user_id)
