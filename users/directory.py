"""The user directory: creating, changing, deleting and finding end users of the database
connection ("Username-Password-Authentication"), with Auth0's defaults and rules
(AUTH0_USER_FLOWS.md sections 7.1 to 7.3).

The console, the CLI, the admin and the Management API all go through here, so they share
the rules. Nothing here sees a request. Errors:

- `UserExists`: the email, username or user id is taken (Auth0's 409 "The user already exists.");
- `passwords.PasswordTooWeak`: the password fails the "good" policy;
- `django.core.exceptions.ValidationError` keyed by field: anything else that is not a valid
  value (an invalid email, a NUL in a name, metadata that cannot be stored);
- `InvalidQuery` (from `search`): a `q` outside the supported Lucene subset (users/search.py).

Every write runs in one transaction: a refused change writes nothing.
"""

import hashlib
import math
import re
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from logs import audit
from users import brute_force, passwords, sessions
from users.models import USER_ID_PREFIX, User
from users.search import InvalidQuery, parse

__all__ = [
    "InvalidQuery",
    "UserExists",
    "create_user",
    "delete_user",
    "find",
    "find_by_email",
    "search",
    "update_user",
]

# Auth0's username characters (a database connection's default validation); 128 is our column.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_+\-.!#$'^`~@]{1,128}")
# A user id chosen by the caller: the 24 lowercase hex characters Gatehouse makes itself.
USER_ID_PATTERN = re.compile(r"[0-9a-f]{24}")
TEXT_FIELDS = ("name", "nickname", "given_name", "family_name", "picture")
# What update_user accepts; everything else is a ValidationError.
UPDATABLE = frozenset(
    {
        "email",
        "username",
        "email_verified",
        "blocked",
        "password",
        "app_metadata",
        "user_metadata",
        *TEXT_FIELDS,
    }
)
# Nested metadata deeper than this is refused (Auth0 documents no limit; this bounds the walk).
MAX_METADATA_DEPTH = 10


class UserExists(Exception):
    """The email, username or user id already belongs to a user."""

    def __init__(self) -> None:
        super().__init__("The user already exists.")


def gravatar_url(email: str) -> str:
    """Auth0's default `picture`: the email's Gravatar, falling back to Auth0's avatar of the
    first two letters of the local part (section 7.1)."""
    digest = hashlib.md5(email.encode(), usedforsecurity=False).hexdigest()
    initials = re.sub(r"[^a-z0-9]", "", email.split("@", 1)[0].lower())[:2] or "us"
    fallback = quote(f"https://cdn.auth0.com/avatars/{initials}.png", safe="")
    return f"https://s.gravatar.com/avatar/{digest}?s=480&r=pg&d={fallback}"


def _unstorable(text: str) -> bool:
    # NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded as UTF-8.
    return "\x00" in text or any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def _clean_email(value: object) -> str:
    if not isinstance(value, str) or not value or _unstorable(value):
        raise ValidationError({"email": ["Enter a valid email address."]})
    email = value.strip().lower()
    try:
        EmailValidator()(email)
    except ValidationError as error:
        raise ValidationError({"email": ["Enter a valid email address."]}) from error
    if len(email) > 254:
        raise ValidationError({"email": ["An email has at most 254 characters."]})
    return email


def _clean_username(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not USERNAME_PATTERN.fullmatch(value):
        raise ValidationError(
            {"username": ["A username has 1 to 128 characters: letters, digits and _+-.!#$'^`~@."]}
        )
    return value


def _check_metadata(field: str, value: object, depth: int = 0) -> None:
    """Metadata must be storable in either database: no NUL or lone surrogate anywhere (key
    or string), no non-finite number (JSON has none), no key with a dot (Auth0 refuses
    those), and not nested without end."""
    if depth > MAX_METADATA_DEPTH:
        raise ValidationError({field: [f"Nested deeper than {MAX_METADATA_DEPTH} levels."]})
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or _unstorable(key) or "." in key:
                raise ValidationError(
                    {field: [f"Invalid key {key!r}: no dots, NUL or lone surrogates."]}
                )
            _check_metadata(field, item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_metadata(field, item, depth + 1)
    elif isinstance(value, str):
        if _unstorable(value):
            raise ValidationError({field: ["Strings may not hold NUL or lone surrogates."]})
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError({field: ["Numbers must be finite."]})
    elif value is not None and not isinstance(value, (bool, int)):
        raise ValidationError({field: ["Not a JSON value."]})


def _clean_metadata(field: str, value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({field: ["Must be an object."]})
    _check_metadata(field, value)
    return value


def _check_text(user: User) -> None:
    for field in TEXT_FIELDS:
        value = getattr(user, field)
        if not isinstance(value, str) or _unstorable(value):
            raise ValidationError({field: ["Text may not hold NUL or lone surrogates."]})
    # Lengths, the picture URL and the email format, as the model declares them.
    user.clean_fields(exclude=["id", "password", "app_metadata", "user_metadata"])


def _taken(user: User) -> bool:
    """Whether another user has this user's email or username (checked inside the write's
    transaction; the unique constraints settle a race, see `_save`)."""
    clash = Q(email=user.email)
    if user.username is not None:
        clash |= Q(username=user.username)
    return User.objects.filter(clash).exclude(pk=user.pk).exists()


def _save(user: User, *, create: bool) -> None:
    try:
        with transaction.atomic():
            if create and User.objects.filter(pk=user.pk).exists():
                raise UserExists()
            if _taken(user):
                raise UserExists()
            user.save(force_insert=create)
    except IntegrityError as error:
        # Two writes raced past the check: the unique constraint refused the second one.
        raise UserExists() from error


def create_user(
    *,
    email: str,
    password: str,
    username: str | None = None,
    email_verified: bool = False,
    blocked: bool = False,
    name: str = "",
    nickname: str = "",
    given_name: str = "",
    family_name: str = "",
    picture: str = "",
    app_metadata: dict[str, Any] | None = None,
    user_metadata: dict[str, Any] | None = None,
    user_id: str | None = None,
) -> User:
    """Create a user of the database connection and return it (saved).

    Auth0's defaults (section 7.1): `name` is the email, `nickname` the email's local part,
    `picture` the Gravatar URL. `user_id` may be given as 24 lowercase hex characters, with
    or without the `auth0|` prefix. The email is stored lowercased.

    Raises UserExists, PasswordTooWeak or ValidationError; writes nothing then.
    """
    clean_email = _clean_email(email)
    user = User(
        email=clean_email,
        username=_clean_username(username),
        email_verified=bool(email_verified),
        blocked=bool(blocked),
        name=name or clean_email,
        nickname=nickname or clean_email.split("@", 1)[0],
        given_name=given_name,
        family_name=family_name,
        picture=picture or gravatar_url(clean_email),
        app_metadata=_clean_metadata("app_metadata", app_metadata),
        user_metadata=_clean_metadata("user_metadata", user_metadata),
    )
    if user_id is not None:
        bare = user_id.removeprefix(USER_ID_PREFIX)
        if not USER_ID_PATTERN.fullmatch(bare):
            raise ValidationError({"user_id": ["A user id is 24 lowercase hex characters."]})
        user.id = bare
    _check_text(user)
    if not isinstance(password, str) or _unstorable(password):
        raise passwords.PasswordTooWeak()
    passwords.set_password(user, password)
    with transaction.atomic():
        _save(user, create=True)
        # Failures counted for this email before the account existed are forgotten: the
        # password was just set (Auth0: a password change releases brute-force blocks).
        brute_force.release([user.email], timezone.now(), via="password", user_id=user.user_id)
        _logged("Create a user", user, None, _state(user))
    return user


def _state(user: User) -> dict[str, Any]:
    """What the log compares: the user object, and the password hash so that a password
    change shows as one (logs.events.changes redacts both sides; the hash is never stored)."""
    return {**user.to_dict(), "password": user.password}


def _logged(
    description: str, user: User, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> None:
    """The change's `sapi` log event (logs/audit.py), in the caller's transaction."""
    audit.changed(
        description,
        object_type="user",
        object_id=user.user_id,
        before=before,
        after=after,
        user_id=user.user_id,
        user_name=user.email,
    )


def _description(changes: dict[str, Any]) -> str:
    # Auth0's dashboard words: blocking is its own operation; anything else updates the user.
    if set(changes) == {"blocked"}:
        return "Block a user" if changes["blocked"] is True else "Unblock a user"
    return "Update a user"


def update_user(user: User, **changes: Any) -> User:
    """Apply `changes` (any of UPDATABLE) to `user`, save, and return it.

    - `app_metadata` / `user_metadata` merge by top-level key (section 7.2): a key set to
      None is removed; an empty object clears all of them (Auth0's documented way);
    - `password` is checked against the policy, sets `last_password_reset`, ends every
      session of the user and releases their brute-force blocks (users/brute_force.py);
    - `blocked=True` ends every session (a blocked user is signed out everywhere);
    - a new `email` is unverified unless `email_verified` comes with it (Auth0);
    - `username=None` removes the username; None for a text field empties it, and the
      defaults of create_user do not come back.

    Raises UserExists, PasswordTooWeak or ValidationError; writes nothing then.
    """
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    end_sessions = False
    before = _state(user)
    for field in TEXT_FIELDS:
        if field in changes:
            setattr(user, field, changes[field] or "")
    if "email" in changes:
        email = _clean_email(changes["email"])
        if email != user.email and "email_verified" not in changes:
            # Auth0: a new address is unverified unless the caller says otherwise.
            user.email_verified = False
        user.email = email
    if "username" in changes:
        user.username = _clean_username(changes["username"])
    for field in ("email_verified", "blocked"):
        if field in changes:
            if not isinstance(changes[field], bool):
                raise ValidationError({field: ["Must be true or false."]})
            setattr(user, field, changes[field])
    end_sessions |= changes.get("blocked") is True
    for field in ("app_metadata", "user_metadata"):
        if field in changes:
            setattr(user, field, _merged(getattr(user, field), field, changes[field]))
    _check_text(user)
    if "password" in changes:
        password = changes["password"]
        if not isinstance(password, str) or _unstorable(password):
            raise passwords.PasswordTooWeak()
        passwords.set_password(user, password)
        user.last_password_reset = timezone.now()
        end_sessions = True
    with transaction.atomic():
        _save(user, create=False)
        if end_sessions:
            sessions.end_all(user)
        if "password" in changes:
            # Auth0: changing the password releases the user's brute-force blocks.
            brute_force.release([user.email], timezone.now(), via="password", user_id=user.user_id)
        _logged(_description(changes), user, before, _state(user))
    return user


def _merged(current: dict[str, Any], field: str, change: object) -> dict[str, Any]:
    if not isinstance(change, dict):
        raise ValidationError({field: ["Must be an object."]})
    if not change:
        return {}
    _check_metadata(field, change)
    merged = dict(current)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def delete_user(user: User) -> None:
    """Delete the user with their sessions (and, through the database, their grants)."""
    before = _state(user)
    with transaction.atomic():
        _logged("Delete a user", user, before, None)
        sessions.end_all(user)
        user.delete()


def find(user_id: str) -> User | None:
    """The user whose public id is `user_id` (`auth0|<24 hex>`), or None. The bare id is
    accepted too (the console's URLs use it)."""
    bare = user_id.removeprefix(USER_ID_PREFIX)
    if not USER_ID_PATTERN.fullmatch(bare):
        return None
    return User.objects.filter(pk=bare).first()


def find_by_email(email: str) -> User | None:
    """The user with this email (compared without case), or None."""
    if _unstorable(email):
        return None
    return User.objects.filter(email=email.strip().lower()).first()


def search(q: str) -> "QuerySet[User]":
    """Users matching Auth0's v3 query `q` (the subset users/search.py describes); every
    user for an empty `q`. Raises InvalidQuery."""
    users = User.objects.all()
    if not q.strip(" "):
        return users
    return users.filter(parse(q))
