import json
import secrets
import string

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from apis.models import NAME_PATTERN, Api, Scope
from applications import redirect_uris
from keys.models import SigningKey

CLIENT_ID_ALPHABET = string.ascii_letters + string.digits
CLIENT_CREDENTIALS = "client_credentials"
# The grant types Gatehouse serves, in the console's order (Auth0's names).
SERVED_GRANT_TYPES = ("authorization_code", "refresh_token", CLIENT_CREDENTIALS)
# Grant types an application may list (Auth0's names): those served, and others stored for
# compatibility with Auth0 tooling.
KNOWN_GRANT_TYPES = (
    "authorization_code",
    "implicit",
    "refresh_token",
    CLIENT_CREDENTIALS,
    "password",
    "urn:ietf:params:oauth:grant-type:device_code",
)


def new_client_id() -> str:
    return "".join(secrets.choice(CLIENT_ID_ALPHABET) for _ in range(32))


def new_grant_id() -> str:
    return "cgr_" + "".join(secrets.choice(CLIENT_ID_ALPHABET) for _ in range(16))


class AppType(models.TextChoices):
    NON_INTERACTIVE = "non_interactive", "Machine to Machine"
    REGULAR_WEB = "regular_web", "Regular Web Application"
    SPA = "spa", "Single Page Application"
    NATIVE = "native", "Native"

    @classmethod
    def public_clients(cls) -> tuple[str, ...]:
        """Clients that cannot keep a secret, so never get client_credentials."""
        return (cls.SPA, cls.NATIVE)


class TokenEndpointAuthMethod(models.TextChoices):
    CLIENT_SECRET_POST = "client_secret_post", "Post"
    CLIENT_SECRET_BASIC = "client_secret_basic", "Basic"
    NONE = "none", "None"


DEFAULT_GRANT_TYPES: dict[str, list[str]] = {
    AppType.NON_INTERACTIVE: [CLIENT_CREDENTIALS],
    AppType.REGULAR_WEB: ["authorization_code", "refresh_token", CLIENT_CREDENTIALS],
    AppType.SPA: ["authorization_code", "implicit", "refresh_token"],
    AppType.NATIVE: ["authorization_code", "implicit", "refresh_token"],
}


class IdTokenAlg(models.TextChoices):
    """`jwt_configuration.alg`: RS256 with the tenant key, or HS256 with the client secret."""

    RS256 = "RS256", "RS256"
    HS256 = "HS256", "HS256"


DEFAULT_ID_TOKEN_LIFETIME = 36000  # seconds; Auth0's jwt_configuration.lifetime_in_seconds
# 30 days: an ID token proves a sign-in, it is no long-lived credential.
MAX_ID_TOKEN_LIFETIME = 2592000

# The browser-flow URL lists: model field, the kind redirect_uris.registration_error checks,
# and the name people know them by (Auth0's Dashboard labels), for messages.
URL_LISTS: tuple[tuple[str, str, str], ...] = (
    ("callbacks", "callback", "Allowed Callback URL"),
    ("allowed_logout_urls", "logout", "Allowed Logout URL"),
    ("web_origins", "web_origin", "Allowed Web Origin"),
    ("allowed_origins", "allowed_origin", "Allowed Origin"),
)


class RotationType(models.TextChoices):
    """`refresh_token.rotation_type` (AUTH0_USER_FLOWS.md section 4.3)."""

    ROTATING = "rotating", "Rotating"
    NON_ROTATING = "non-rotating", "Non-rotating"


class ExpirationType(models.TextChoices):
    """`refresh_token.expiration_type` (section 4.3): rotation requires `expiring`."""

    EXPIRING = "expiring", "Expiring"
    NON_EXPIRING = "non-expiring", "Non-expiring"


# Auth0's recorded defaults of a new client's `refresh_token` object (section 4.3).
DEFAULT_REFRESH_TOKEN_LIFETIME = 2592000  # 30 days, absolute
DEFAULT_REFRESH_IDLE_LIFETIME = 1296000  # 15 days
MAX_REFRESH_TOKEN_LIFETIME = 157788000  # five years, the newer OAS maximum
# A larger overlap would let a stolen, already-used token be replayed long after the theft;
# an hour covers any retry or parallel burst (Gatehouse's limit, Auth0 documents none).
MAX_REFRESH_LEEWAY = 3600
# The Management API's `refresh_token` members, in Auth0's order -> Application columns.
REFRESH_TOKEN_COLUMNS = {
    "rotation_type": "refresh_rotation_type",
    "expiration_type": "refresh_expiration_type",
    "leeway": "refresh_leeway",
    "token_lifetime": "refresh_token_lifetime",
    "infinite_token_lifetime": "refresh_infinite_token_lifetime",
    "idle_token_lifetime": "refresh_idle_token_lifetime",
    "infinite_idle_token_lifetime": "refresh_infinite_idle_token_lifetime",
}


class ApplicationQuerySet(models.QuerySet):
    def with_client_credentials(self) -> "ApplicationQuerySet":
        return self.filter(grant_types__regex=r"(^| )client_credentials( |$)")


class Application(models.Model):
    client_id = models.CharField(max_length=32, unique=True, default=new_client_id, editable=False)
    name = models.CharField(
        max_length=200,
        validators=[RegexValidator(NAME_PATTERN, "Name must not contain < or >.")],
    )
    description = models.CharField(max_length=140, blank=True, default="")
    app_type = models.CharField(
        max_length=20, choices=AppType.choices, default=AppType.NON_INTERACTIVE
    )
    # HMAC-SHA256 of the client secret (applications/credentials.py); the secret is not stored.
    secret_digest = models.CharField(max_length=64, editable=False)
    # Space-separated, like an OAuth scope string, so SQLite and PostgreSQL filter it alike.
    grant_types = models.CharField(max_length=500, blank=True, default="")
    token_endpoint_auth_method = models.CharField(
        max_length=20,
        choices=TokenEndpointAuthMethod.choices,
        default=TokenEndpointAuthMethod.CLIENT_SECRET_POST,
    )
    # Browser-flow settings, Auth0's names (AUTH0_USER_FLOWS.md sections 1.3, 6, 1.7, 13):
    # lists of URLs or origins, matched by applications/redirect_uris.py.
    callbacks = models.JSONField(default=list, blank=True)
    allowed_logout_urls = models.JSONField(default=list, blank=True)
    web_origins = models.JSONField(default=list, blank=True)
    allowed_origins = models.JSONField(default=list, blank=True)
    is_first_party = models.BooleanField(default=True)
    # RFC 8252 section 7.3: any port on http://127.0.0.1 and http://[::1] callbacks. Off by
    # default, for Auth0 parity (exact match).
    allow_loopback_any_port = models.BooleanField(default=False)
    id_token_alg = models.CharField(
        max_length=5, choices=IdTokenAlg.choices, default=IdTokenAlg.RS256
    )
    id_token_lifetime = models.PositiveIntegerField(default=DEFAULT_ID_TOKEN_LIFETIME)
    # Fernet token (keys/vault.py) of the client secret, kept only for a client that signs ID
    # tokens with HS256 (the secret is then the HMAC key); "" otherwise.
    encrypted_secret = models.TextField(blank=True, default="", editable=False)
    # Auth0's `refresh_token` object (AUTH0_USER_FLOWS.md section 4.3), one column per member,
    # with Auth0's defaults; applications/refresh_settings.py holds the rules and SPA defaults.
    refresh_rotation_type = models.CharField(
        max_length=12, choices=RotationType.choices, default=RotationType.NON_ROTATING
    )
    refresh_expiration_type = models.CharField(
        max_length=12, choices=ExpirationType.choices, default=ExpirationType.NON_EXPIRING
    )
    refresh_leeway = models.PositiveIntegerField(default=0)
    refresh_token_lifetime = models.PositiveIntegerField(default=DEFAULT_REFRESH_TOKEN_LIFETIME)
    refresh_infinite_token_lifetime = models.BooleanField(default=True)
    refresh_idle_token_lifetime = models.PositiveIntegerField(default=DEFAULT_REFRESH_IDLE_LIFETIME)
    refresh_infinite_idle_token_lifetime = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "client_id"]
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(app_type__in=[choice.value for choice in AppType]),
                name="application_app_type_valid",
            ),
            # Section 4.3: what must never be stored, whatever surface wrote it.
            models.CheckConstraint(
                condition=~models.Q(refresh_rotation_type=RotationType.ROTATING)
                | models.Q(refresh_expiration_type=ExpirationType.EXPIRING),
                name="application_refresh_rotation_requires_expiring",
            ),
            models.CheckConstraint(
                condition=models.Q(refresh_rotation_type__in=RotationType.values)
                & models.Q(refresh_expiration_type__in=ExpirationType.values),
                name="application_refresh_types_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    refresh_token_lifetime__gte=1,
                    refresh_token_lifetime__lte=MAX_REFRESH_TOKEN_LIFETIME,
                    refresh_idle_token_lifetime__gte=1,
                    refresh_idle_token_lifetime__lte=MAX_REFRESH_TOKEN_LIFETIME,
                    refresh_leeway__lte=MAX_REFRESH_LEEWAY,
                ),
                name="application_refresh_lifetimes_valid",
            ),
            # Idle <= absolute where both apply (an infinite one ignores its number).
            models.CheckConstraint(
                condition=models.Q(refresh_infinite_token_lifetime=True)
                | models.Q(refresh_infinite_idle_token_lifetime=True)
                | models.Q(refresh_idle_token_lifetime__lte=models.F("refresh_token_lifetime")),
                name="application_refresh_idle_within_absolute",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grant_type_list(self) -> list[str]:
        # U+0020 only, as written and as with_client_credentials() matches: any other
        # whitespace is part of an (unknown) grant type, never a separator.
        return [value for value in self.grant_types.split(" ") if value]

    @property
    def allows_client_credentials(self) -> bool:
        return CLIENT_CREDENTIALS in self.grant_type_list

    @property
    def is_public_client(self) -> bool:
        return self.app_type in AppType.public_clients()

    @property
    def cors_origins(self) -> list[str]:
        """The origins whose browser requests get CORS answers: the Allowed Origins plus the
        origin of every http(s) callback. Auth0: "By default, all your callback URLs will be
        allowed. This field allows you to enter other origins", so the callbacks' origins
        are always in and `allowed_origins` stores only the others; there is no "never set"
        state to keep apart from an empty list."""
        from_callbacks = [redirect_uris.origin_of(url) for url in self.callbacks]
        return list(dict.fromkeys([*self.allowed_origins, *(o for o in from_callbacks if o)]))

    def to_dict(
        self, signing_key: "SigningKey | None", client_secret: str | None = None
    ) -> dict[str, object]:
        """The Management API shape of a client. The secret appears only when passed in,
        which happens only on create and on rotation."""
        body: dict[str, object] = {
            "client_id": self.client_id,
            "name": self.name,
            "description": self.description,
            "app_type": self.app_type,
            "grant_types": self.grant_type_list,
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "is_first_party": self.is_first_party,
            # Fixed truths about Gatehouse, echoed because Auth0 tooling reads them: it is
            # always OIDC conformant, its sign-in session serves every application (SSO),
            # it has no cross-origin authentication endpoint and trusts no client IP header.
            "oidc_conformant": True,
            "sso_disabled": False,
            "cross_origin_authentication": False,
            "is_token_endpoint_ip_header_trusted": False,
            "global": False,
            "callbacks": list(self.callbacks),
            "allowed_logout_urls": list(self.allowed_logout_urls),
            "web_origins": list(self.web_origins),
            "allowed_origins": list(self.allowed_origins),
            "allow_loopback_any_port": self.allow_loopback_any_port,
            "allowed_clients": [],
            "client_aliases": [],
            "jwt_configuration": {
                "alg": self.id_token_alg,
                "lifetime_in_seconds": self.id_token_lifetime,
                "secret_encoded": False,
            },
            "refresh_token": {
                member: getattr(self, column) for member, column in REFRESH_TOKEN_COLUMNS.items()
            },
            "signing_keys": (
                [
                    {
                        "cert": signing_key.cert_pem,
                        "pkcs7": signing_key.pkcs7_pem,
                        "subject": "deprecated",
                    }
                ]
                if signing_key
                else []
            ),
        }
        if client_secret is not None:
            body["client_secret"] = client_secret
        return body

    def clean(self) -> None:
        self._clean_url_lists()
        grant_types = self.grant_type_list
        unknown = [value for value in grant_types if value not in KNOWN_GRANT_TYPES]
        if unknown:
            raise ValidationError({"grant_types": f"Unknown grant type: {unknown[0]}."})
        if len(set(grant_types)) != len(grant_types):
            raise ValidationError({"grant_types": "Grant types must be unique."})
        if self.is_public_client and CLIENT_CREDENTIALS in grant_types:
            raise ValidationError(
                {
                    "grant_types": "Single Page and Native applications are public clients and "
                    "cannot use the client_credentials grant."
                }
            )
        if self.is_public_client != (
            self.token_endpoint_auth_method == TokenEndpointAuthMethod.NONE
        ):
            raise ValidationError(
                {
                    "token_endpoint_auth_method": (
                        "Public clients (Single Page, Native) use 'none'; confidential "
                        "clients use client_secret_post or client_secret_basic."
                    )
                }
            )
        if self.id_token_alg == IdTokenAlg.HS256 and (
            self.token_endpoint_auth_method == TokenEndpointAuthMethod.NONE
        ):
            raise ValidationError(
                {
                    "id_token_alg": "HS256 signs ID tokens with the client secret; a public "
                    "client (token_endpoint_auth_method none) has none. Use RS256."
                }
            )
        if not 1 <= self.id_token_lifetime <= MAX_ID_TOKEN_LIFETIME:
            raise ValidationError(
                {
                    "id_token_lifetime": "The ID token lifetime must be between 1 and "
                    f"{MAX_ID_TOKEN_LIFETIME} seconds."
                }
            )
        self._clean_refresh_token()

    def _clean_url_lists(self) -> None:
        """Each list holds at most 100 distinct URLs that redirect_uris allows registering
        (AUTH0_USER_FLOWS.md section 1.3); the first offence is reported, naming the URL."""
        for field, kind, label in URL_LISTS:
            urls = getattr(self, field)
            if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
                raise ValidationError({field: f"{label}s must be a list of strings."})
            if len(urls) > redirect_uris.MAX_URLS:
                raise ValidationError(
                    {field: f"At most {redirect_uris.MAX_URLS} {label}s, not {len(urls)}."}
                )
            for url in urls:
                error = redirect_uris.registration_error(url, kind)
                if error:
                    raise ValidationError({field: f"{label} {json.dumps(url)} {error}."})
            if len(set(urls)) != len(urls):
                duplicate = next(url for url in urls if urls.count(url) > 1)
                raise ValidationError({field: f"{label} {json.dumps(duplicate)} is listed twice."})

    def _clean_refresh_token(self) -> None:
        """Section 4.3's rules for the `refresh_token` object, also held by constraints."""
        if (
            self.refresh_rotation_type == RotationType.ROTATING
            and self.refresh_expiration_type != ExpirationType.EXPIRING
        ):
            raise ValidationError(
                {
                    "refresh_expiration_type": "Rotating refresh tokens must be expiring: set "
                    "expiration_type to expiring."
                }
            )
        if not 1 <= self.refresh_token_lifetime <= MAX_REFRESH_TOKEN_LIFETIME:
            raise ValidationError(
                {
                    "refresh_token_lifetime": "The refresh token lifetime must be between 1 "
                    f"and {MAX_REFRESH_TOKEN_LIFETIME} seconds."
                }
            )
        if not 1 <= self.refresh_idle_token_lifetime <= MAX_REFRESH_TOKEN_LIFETIME:
            raise ValidationError(
                {
                    "refresh_idle_token_lifetime": "The idle refresh token lifetime must be "
                    f"between 1 and {MAX_REFRESH_TOKEN_LIFETIME} seconds."
                }
            )
        both_finite = not (
            self.refresh_infinite_token_lifetime or self.refresh_infinite_idle_token_lifetime
        )
        if both_finite and self.refresh_idle_token_lifetime > self.refresh_token_lifetime:
            raise ValidationError(
                {
                    "refresh_idle_token_lifetime": "The idle refresh token lifetime must be no "
                    "longer than the refresh token lifetime."
                }
            )
        if self.refresh_leeway > MAX_REFRESH_LEEWAY:
            raise ValidationError(
                {
                    "refresh_leeway": "The rotation overlap period (leeway) must be at most "
                    f"{MAX_REFRESH_LEEWAY} seconds."
                }
            )


class ClientGrant(models.Model):
    """Authorizes one application for one API, with a subset of that API's scopes."""

    id = models.CharField(primary_key=True, max_length=20, default=new_grant_id, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="grants")
    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="client_grants")
    # Deleting a Scope deletes its rows here in the same transaction (Django's collector).
    scopes = models.ManyToManyField(Scope, blank=True, related_name="client_grants")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "api"], name="one_grant_per_application_and_api"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} -> {self.api}"

    def to_dict(self, scope_values: list[str] | None = None) -> dict[str, object]:
        """The Management API shape (needs `application` and `api` loaded)."""
        if scope_values is None:
            scope_values = [scope.value for scope in self.scopes.all()]
        return {
            "id": self.id,
            "client_id": self.application.client_id,
            "audience": self.api.identifier,
            "scope": scope_values,
        }


def new_user_grant_id() -> str:
    """24 lowercase hex characters, like Auth0's grant ids."""
    return secrets.token_hex(12)


def new_refresh_token_family_id() -> str:
    """The public id of a refresh token (Auth0's `/refresh-tokens/{id}`): 24 hex characters."""
    return secrets.token_hex(12)


# The models of users' sign-ins (grants, codes, tokens) live in their own module; importing it
# here registers them with the app, as Django expects of an app's models module.
from applications.sign_in_models import (  # noqa: E402
    AuthorizationCode,
    OpaqueAccessToken,
    RefreshToken,
    RefreshTokenFamily,
    UserGrant,
)

__all__ = [
    "AuthorizationCode",
    "OpaqueAccessToken",
    "RefreshToken",
    "RefreshTokenFamily",
    "UserGrant",
]
