"""End-user passwords: Auth0's "good" policy, and Argon2 hashes (Django's Argon2 hasher).

Hashing is deliberately slow; it runs on sign-in and on password changes only, never on the
token path.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password

from users.models import User

MIN_LENGTH = 8
# Auth0's "special characters" class for password policies.
SPECIAL_CHARACTERS = "!@#$%^&*"
WEAK_PASSWORD_MESSAGE = "PasswordStrengthError: Password is too weak"


class PasswordTooWeak(ValueError):
    """The password fails the connection's policy; str() is Auth0's message."""

    def __init__(self) -> None:
        super().__init__(WEAK_PASSWORD_MESSAGE)


def character_classes(password: str) -> int:
    """How many of Auth0's four classes (lower, upper, digit, special) `password` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in SPECIAL_CHARACTERS for c in password),
        )
    )


def check_policy(password: str) -> None:
    """Auth0's "good" policy: at least 8 characters and 3 of the 4 character classes
    (AUTH0_USER_FLOWS.md section 7.3). Raises PasswordTooWeak."""
    if len(password) < MIN_LENGTH or character_classes(password) < 3:
        raise PasswordTooWeak()


def hash_password(password: str) -> str:
    """A Django password hash of `password` with the first of PASSWORD_HASHERS (Argon2)."""
    return make_password(password)


def set_password(user: User, password: str) -> None:
    """Checks the policy and sets (does not save) the user's password hash."""
    check_policy(password)
    user.password = hash_password(password)


def verify(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; with no user, spends the same time and says no."""
    if user is None:
        # Hash anyway, as Django's ModelBackend does: a wrong email then costs as long as a
        # wrong password, so timing does not tell which emails have accounts.
        make_password(password)
        return False
    return check_password(password, user.password)


# Longer "passwords" are refused before hashing: Argon2 over a megabyte is a denial of service.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254


# Why a sign-in failed (SignIn.failure), named after Auth0's log event types fu and fp.
UNKNOWN_USER = "unknown_user"
WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason code, not a password


@dataclass(frozen=True)
class SignIn:
    """The outcome of checking an email and a password: `user` when both are right (blocked
    or not), else None and `failure` saying why: UNKNOWN_USER (no account has that email,
    or the input was malformed) or WRONG_PASSWORD (the account exists; `account` is it).
    For log events (Auth0's fu and fp); the person signing in is told the same for both."""

    user: User | None
    failure: str = ""
    account: User | None = None


def check(email: str, password: str) -> SignIn:
    """Like `authenticate` (the same rules, the same cost whatever the outcome), but says
    why a sign-in failed."""
    email = email.strip().lower() if isinstance(email, str) else ""
    user = None
    if email and len(email) <= MAX_EMAIL_LENGTH and "\x00" not in email:
        user = User.objects.filter(email=email).first()
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        verify(None, "")  # never hash an over-long password, but cost one hash all the same
        password_ok = False
    else:
        password_ok = verify(user, password)
    if user is None:
        return SignIn(None, UNKNOWN_USER)
    return SignIn(user) if password_ok else SignIn(None, WRONG_PASSWORD, user)


def authenticate(email: str, password: str) -> User | None:
    """The user whose email (compared lowercased) and password these are, or None.

    A blocked user is returned, so the caller can answer with Auth0's "user is blocked"
    error (AUTH0_USER_FLOWS.md section 1.2, step 9) instead of "Wrong email or password".
    An unknown email costs one hash like a wrong password (verify(None, ...)), so response
    time does not say which emails have accounts. Malformed input (NUL, which PostgreSQL
    refuses, or over-long values) is never sent to the database.
    """
    return check(email, password).user
