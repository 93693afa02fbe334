import datetime as dt
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

MAX_TOKEN_LIFETIME = 2_592_000  # 30 days, Auth0's maximum
NAME_PATTERN = r"^[^<>]+$"
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), printable ASCII without
# space, " or \; as a regex class body, shared with the token endpoint's scope parsing.
SCOPE_TOKEN_CHARACTERS = r"\x21\x23-\x5B\x5D-\x7E"
SCOPE_PATTERN = rf"^[{SCOPE_TOKEN_CHARACTERS}]+$"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def has_control_character(value: str) -> bool:
    """Whether `value` holds a C0 control character or DEL (NUL included: PostgreSQL refuses
    it in text). Such a value is no API identifier, and /authorize refuses it as a parameter."""
    return _CONTROL_CHARACTERS.search(value) is not None


def new_api_id() -> str:
    """24 lowercase hex characters, like Auth0's resource server ids."""
    return secrets.token_hex(12)


class SigningAlg(models.TextChoices):
    RS256 = "RS256", "RS256"
    HS256 = "HS256", "HS256"


class TokenDialect(models.TextChoices):
    """The access-token shapes Gatehouse issues (Auth0's `token_dialect`). Auth0's `*_authz`
    dialects add RBAC permissions, which Gatehouse does not have (apis/resource_servers.py)."""

    ACCESS_TOKEN = "access_token", "access_token (Auth0's default claims)"
    RFC9068_PROFILE = "rfc9068_profile", "rfc9068_profile (RFC 9068 JWT access tokens)"


class Api(models.Model):
    """An OAuth2 resource server: its identifier is the `aud` of the tokens issued for it."""

    id = models.CharField(primary_key=True, max_length=24, default=new_api_id, editable=False)
    name = models.CharField(
        max_length=200,
        validators=[RegexValidator(NAME_PATTERN, "Name must not contain < or >.")],
    )
    identifier = models.CharField(max_length=600, unique=True)
    signing_alg = models.CharField(
        max_length=5, choices=SigningAlg.choices, default=SigningAlg.RS256
    )
    # Fernet token of the HS256 secret (keys/vault.py); empty for RS256 APIs.
    encrypted_signing_secret = models.TextField(blank=True, default="", editable=False)
    token_lifetime = models.PositiveIntegerField(
        default=86400, validators=[MinValueValidator(0), MaxValueValidator(MAX_TOKEN_LIFETIME)]
    )
    token_lifetime_for_web = models.PositiveIntegerField(
        default=7200, validators=[MinValueValidator(0), MaxValueValidator(MAX_TOKEN_LIFETIME)]
    )
    # "" until set: tokens then take the access_token shape, and the Management API leaves the
    # field out, as Auth0 does (AUTH0_COMPAT.md section 4.1).
    token_dialect = models.CharField(
        max_length=32, blank=True, default="", choices=TokenDialect.choices
    )
    # Auth0's RBAC switch; None until set. Only false is possible without RBAC.
    enforce_policies = models.BooleanField(null=True, blank=True, default=None)
    allow_offline_access = models.BooleanField(default=False)
    skip_consent_for_verifiable_first_party_clients = models.BooleanField(default=False)
    is_system = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "API"
        ordering = ["-is_system", "name", "id"]
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(token_lifetime__lte=MAX_TOKEN_LIFETIME),
                name="api_token_lifetime_max",
            ),
            models.CheckConstraint(
                condition=Q(token_lifetime_for_web__lte=F("token_lifetime")),
                name="api_web_lifetime_not_above_lifetime",
            ),
            models.CheckConstraint(
                condition=Q(signing_alg__in=["RS256", "HS256"]), name="api_signing_alg_valid"
            ),
            models.CheckConstraint(
                condition=Q(signing_alg="RS256", encrypted_signing_secret="")
                | (Q(signing_alg="HS256") & ~Q(encrypted_signing_secret="")),
                name="api_hs256_has_secret",
            ),
            models.CheckConstraint(
                condition=Q(token_dialect__in=["", *TokenDialect.values]),
                name="api_token_dialect_valid",
            ),
            models.CheckConstraint(
                condition=Q(enforce_policies__isnull=True) | Q(enforce_policies=False),
                name="api_enforce_policies_without_rbac",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.identifier

    def created_since(self, moment: dt.datetime) -> bool:
        """Whether this API was created after `moment`. Refresh-token families and users'
        grants name their API by identifier: one from before then was for a deleted API that
        had this identifier, and counts for nothing here. Compares the nodes' clocks."""
        return self.created_at > moment

    def to_dict(self, scopes: "list[Scope] | None" = None) -> dict[str, object]:
        """The Management API shape of a resource server (Auth0's field names and defaults).

        `scopes` may be given when the caller prefetched them; the signing secret never appears.
        `token_dialect` and `enforce_policies` appear only once set.
        """
        if scopes is None:
            scopes = list(self.scopes.all())
        body: dict[str, object] = {"id": self.id, "name": self.name, "identifier": self.identifier}
        if self.is_system:
            body["is_system"] = True
        body["scopes"] = [
            {"value": s.value, "description": s.description}
            if s.description
            else {"value": s.value}
            for s in scopes
        ]
        body.update(
            signing_alg=self.signing_alg,
            allow_offline_access=self.allow_offline_access,
            skip_consent_for_verifiable_first_party_clients=(
                self.skip_consent_for_verifiable_first_party_clients
            ),
            token_lifetime=self.token_lifetime,
            token_lifetime_for_web=self.token_lifetime_for_web,
        )
        # Present only once set, as in Auth0's responses.
        if self.token_dialect:
            body["token_dialect"] = self.token_dialect
        if self.enforce_policies is not None:
            body["enforce_policies"] = self.enforce_policies
        return body

    def clean(self) -> None:
        if not self.identifier or not self.identifier.strip():
            raise ValidationError({"identifier": "Identifier is required."})
        if self._state.adding and has_control_character(self.identifier):
            # It becomes the tokens' `aud`, and /authorize refuses such an audience. Checked
            # at creation only: the identifier cannot change, and an API stored before this
            # rule must stay editable.
            raise ValidationError({"identifier": "Identifier must not contain control characters."})
        if (
            self.token_lifetime is not None
            and self.token_lifetime_for_web is not None
            and self.token_lifetime_for_web > self.token_lifetime
        ):
            raise ValidationError(
                {"token_lifetime_for_web": "Must not be greater than the token lifetime."}
            )


class Scope(models.Model):
    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="scopes")
    value = models.CharField(
        max_length=280,
        validators=[
            RegexValidator(
                SCOPE_PATTERN,
                "Scope values are printable characters without whitespace, quotes or backslashes.",
            )
        ],
    )
    description = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(fields=["api", "value"], name="scope_value_unique_per_api")
        ]

    def __str__(self) -> str:
        return self.value


SINGLETON_ID = 1


class TenantSettingsQuerySet(models.QuerySet["TenantSettings"]):
    def current(self) -> "TenantSettings":
        """The tenant's settings: the saved row, or (unsaved) the defaults when nothing was
        ever set. Reading never writes."""
        row = self.select_related("default_audience").filter(pk=SINGLETON_ID).first()
        return row if row is not None else self.model()


class TenantSettings(models.Model):
    """The tenant's settings, one row (a database constraint keeps it one). Today the default
    audience: the API a token request that names neither `audience` nor `resource` is for
    (Auth0's tenant "Default Audience"). Deleting that API clears it, however it is deleted:
    a setting that names nothing, or an API created later with the same identifier, would be
    worse than none."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    default_audience = models.ForeignKey(
        Api, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "tenant settings"
        verbose_name_plural = "tenant settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=SINGLETON_ID), name="tenant_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "Tenant settings"

    def to_dict(self) -> dict[str, str]:
        """The Management API shape (Auth0's tenant settings): `default_audience` is the API's
        identifier, "" when there is none."""
        api = self.default_audience
        return {"default_audience": api.identifier if api is not None else ""}
