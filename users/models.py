import datetime as dt
import secrets
from typing import Any

from django.db import models
from django.db.models import Q

CONNECTION = "Username-Password-Authentication"
USER_ID_PREFIX = "auth0|"


def new_user_id() -> str:
    """24 lowercase hex characters; the public `user_id` is `auth0|` + this (Auth0's shape)."""
    return secrets.token_hex(12)


def new_session_id() -> str:
    """The public session id (`sid` in ID tokens): 32 characters of base64url, not a secret."""
    return secrets.token_urlsafe(24)


class User(models.Model):
    """An end user of the tenant's database connection (AUTH0_USER_FLOWS.md section 7.1).

    `email` is stored lowercased (Auth0 compares emails without case) and is unique; so is
    `username` when set. `password` is a Django password hash (Argon2), never the password.
    """

    id = models.CharField(primary_key=True, max_length=24, default=new_user_id, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    username = models.CharField(max_length=128, null=True, blank=True, unique=True)
    email_verified = models.BooleanField(default=False)
    name = models.CharField(max_length=300, blank=True, default="")
    nickname = models.CharField(max_length=300, blank=True, default="")
    given_name = models.CharField(max_length=150, blank=True, default="")
    family_name = models.CharField(max_length=150, blank=True, default="")
    picture = models.URLField(max_length=2000, blank=True, default="")
    blocked = models.BooleanField(default=False)
    app_metadata = models.JSONField(default=dict, blank=True)
    user_metadata = models.JSONField(default=dict, blank=True)
    password = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_login = models.DateTimeField(null=True, blank=True, editable=False)
    last_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    logins_count = models.PositiveIntegerField(default=0, editable=False)
    last_password_reset = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["email", "id"]
        indexes = [models.Index(fields=["created_at"]), models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(condition=~Q(email=""), name="user_email_required"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def user_id(self) -> str:
        return USER_ID_PREFIX + self.id

    def to_dict(self) -> dict[str, Any]:
        """Auth0's user object (AUTH0_USER_FLOWS.md section 7.1), never with the password
        hash. Optional members appear only when they have a value, as in Auth0: `username`,
        `given_name`, `family_name`; `last_login`, `last_ip` and `logins_count` after the
        first login; `last_password_reset` after a password change."""
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "email": self.email,
            "email_verified": self.email_verified,
            "name": self.name,
            "nickname": self.nickname,
            "picture": self.picture,
            "created_at": auth0_time(self.created_at),
            "updated_at": auth0_time(self.updated_at),
            "identities": [
                {
                    "connection": CONNECTION,
                    "user_id": self.id,
                    "provider": "auth0",
                    "isSocial": False,
                }
            ],
            "blocked": self.blocked,
            "app_metadata": self.app_metadata,
            "user_metadata": self.user_metadata,
        }
        if self.username is not None:
            body["username"] = self.username
        for name in ("given_name", "family_name"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        if self.logins_count:
            body["last_login"] = auth0_time(self.last_login)
            body["last_ip"] = self.last_ip
            body["logins_count"] = self.logins_count
        if self.last_password_reset is not None:
            body["last_password_reset"] = auth0_time(self.last_password_reset)
        return body


def auth0_time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and `Z`, as Auth0 writes timestamps."""
    if moment is None:
        return None
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class SessionQuerySet(models.QuerySet["Session"]):
    def active(self, now: "models.Expression | object") -> "SessionQuerySet":
        return self.filter(expires_at__gt=now, idle_expires_at__gt=now)


class Session(models.Model):
    """An end user's sign-in session at Gatehouse (Auth0's "session"; AUTH0_USER_FLOWS.md
    sections 1.6 and 4.6). The browser holds a random secret in its own cookie; only its
    HMAC digest is stored (keys/digests.py), so the table alone cannot be replayed.

    `expires_at` is fixed at sign-in (tenant session lifetime); `idle_expires_at` moves
    forward as the session is used. `authenticated_at` is the `auth_time` of ID tokens.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_session_id, editable=False)
    secret_digest = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField()
    authenticated_at = models.DateTimeField()
    last_interacted_at = models.DateTimeField()
    idle_expires_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    # Client ids of the applications this session signed in to (Auth0's `clients`).
    client_ids = models.JSONField(default=list, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"session {self.id} of {self.user_id}"


class BruteForceMode(models.TextChoices):
    """What failed sign-ins are counted per (Auth0's brute-force `mode`)."""

    PER_IDENTIFIER_AND_IP = "count_per_identifier_and_ip"
    PER_IDENTIFIER = "count_per_identifier"


BRUTE_FORCE_SETTINGS_ID = 1


class BruteForceSettingsQuerySet(models.QuerySet["BruteForceSettings"]):
    def current(self) -> "BruteForceSettings":
        """The saved row, or (unsaved) Auth0's defaults when nothing was ever set."""
        row = self.filter(pk=BRUTE_FORCE_SETTINGS_ID).first()
        return row if row is not None else self.model()


def _default_shields() -> list[str]:
    return ["block"]


class BruteForceSettings(models.Model):
    """The tenant's brute-force protection (Auth0's attack protection object,
    AUTH0_USER_FLOWS.md section 7.4), one row. `allowlist` holds IP addresses and CIDR
    networks as normalised text; `shields` is [] or ["block"] (users/brute_force.py says why
    `user_notification` is refused)."""

    id = models.PositiveSmallIntegerField(
        primary_key=True, default=BRUTE_FORCE_SETTINGS_ID, editable=False
    )
    enabled = models.BooleanField(default=True)
    shields = models.JSONField(default=_default_shields)
    allowlist = models.JSONField(default=list, blank=True)
    mode = models.CharField(
        max_length=32, choices=BruteForceMode.choices, default=BruteForceMode.PER_IDENTIFIER_AND_IP
    )
    max_attempts = models.PositiveSmallIntegerField(default=10)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BruteForceSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "brute-force protection settings"
        verbose_name_plural = "brute-force protection settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(id=BRUTE_FORCE_SETTINGS_ID), name="brute_force_settings_single_row"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1, max_attempts__lte=100),
                name="brute_force_max_attempts_range",
            ),
        ]

    def __str__(self) -> str:
        return "Brute-force protection settings"

    def to_dict(self) -> dict[str, Any]:
        """Auth0's object: `{enabled, shields, allowlist, mode, max_attempts}`."""
        return {
            "enabled": self.enabled,
            "shields": list(self.shields),
            "allowlist": list(self.allowlist),
            "mode": str(self.mode),  # the value, also for the (enum) default
            "max_attempts": self.max_attempts,
        }


class FailedLoginCount(models.Model):
    """Consecutive failed sign-ins for one identifier (the lowercased email typed) from one
    IP address; `ip` is "" in mode count_per_identifier (every address counts together).

    Rows exist for identifiers that have no account too, so a block says nothing about
    which emails are registered. A pair is blocked while `count` >= the current
    max_attempts and `last_failure_at` is less than 30 days old (users/brute_force.py).
    """

    identifier = models.CharField(max_length=254)
    ip = models.CharField(max_length=45, blank=True)
    count = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()

    class Meta:
        ordering = ["identifier", "ip"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "ip"], name="failed_login_pair"),
        ]
        indexes = [models.Index(fields=["last_failure_at"])]

    def __str__(self) -> str:
        return f"{self.count} failed sign-ins for {self.identifier} from {self.ip or 'any IP'}"
