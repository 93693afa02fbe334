"""The models of end users' sign-ins: their grants (consent), authorization codes,
/userinfo-only access tokens and refresh-token families. Registered through
applications/models.py, which imports this module; the id generators that migrations name
stay there."""

from django.db import models

from applications.models import (
    Application,
    new_refresh_token_family_id,
    new_user_grant_id,
)
from users.models import User


class UserGrant(models.Model):
    """A user's consent: this application may act for this user at this audience with these
    scopes (Auth0's "grant", `/api/v2/grants`; AUTH0_USER_FLOWS.md section 2.3). The audience
    is an API identifier or the tenant's `<issuer>userinfo`, so it is text, not a key."""

    id = models.CharField(
        primary_key=True, max_length=24, default=new_user_grant_id, editable=False
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="user_grants"
    )
    audience = models.CharField(max_length=600)
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application", "audience"],
                name="one_user_grant_per_user_application_audience",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.application} @ {self.audience}"

    def to_dict(self) -> dict[str, object]:
        """The Management API shape (`/api/v2/grants`; needs `user` and `application`
        loaded). `clientID` is camelCase, as Auth0 returns it (AUTH0_USER_FLOWS.md 2.5)."""
        return {
            "id": self.id,
            "clientID": self.application.client_id,
            "user_id": self.user.user_id,
            "audience": self.audience,
            "scope": list(self.scopes),
        }


class AuthorizationCode(models.Model):
    """An authorization code (RFC 6749 section 4.1.2), stored as its HMAC digest only, with
    everything the exchange must check or echo bound to it. Single use: `used_at` is set
    atomically; a used code stays as a tombstone until it expires so that reuse is detected
    (and what it issued revoked; RFC 6749 section 4.1.2, RFC 9700 section 4.5)."""

    digest = models.CharField(primary_key=True, max_length=64, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="authorization_codes"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authorization_codes")
    session_id = models.CharField(max_length=32, blank=True, default="")
    # As sent to /authorize; "" when it was not sent (then it must not be sent to /oauth/token).
    redirect_uri = models.TextField(blank=True, default="")
    code_challenge = models.CharField(max_length=128, blank=True, default="")
    code_challenge_method = models.CharField(max_length=5, blank=True, default="")
    nonce = models.TextField(blank=True, default="")
    scopes = models.JSONField(default=list, blank=True)
    # An API identifier, or "" for a /userinfo-only (opaque) access token.
    audience = models.CharField(max_length=600, blank=True, default="")
    auth_time = models.DateTimeField()
    # max_age was sent: the ID token must carry auth_time (OIDC Core section 3.1.2.1).
    include_auth_time = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"code for {self.application} ({self.user_id})"


class OpaqueAccessToken(models.Model):
    """An access token good only at /userinfo, issued when no audience was asked for and the
    tenant has no default (AUTH0_USER_FLOWS.md section 1.5). Stored as its digest; revoked
    with the code it came from when that code is replayed."""

    digest = models.CharField(primary_key=True, max_length=64, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="opaque_access_tokens"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="opaque_access_tokens")
    scopes = models.JSONField(default=list, blank=True)
    code_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"userinfo token for {self.application} ({self.user_id})"


class RefreshTokenFamily(models.Model):
    """The refresh tokens issued from one code exchange, one after another (AUTH0_USER_FLOWS.md
    section 4.4). A family is scoped to one authorization, never to user and client: two tabs
    that signed in separately have two families and never revoke each other (section 9,
    complaint 3). Its row is what an exchange locks, and its id is the refresh token's public
    id in the Management API. `expires_at` (absolute lifetime) is fixed when the family starts;
    rotation never extends it. `generation` counts the tokens issued (section 9, complaint 4:
    order by a counter, never by `iat` seconds): the token of that generation is the newest,
    and every older one has been spent. `rotated_at` is when the newest was issued, which is
    when its parent was spent (null before the first rotation), so the overlap period and
    reuse are decided from this row alone, without writing to the spent token."""

    id = models.CharField(
        primary_key=True, max_length=24, default=new_refresh_token_family_id, editable=False
    )
    # Indexed by Meta.indexes' (user, application, revoked_at), which starts with it.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="refresh_families", db_index=False
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="refresh_families"
    )
    audience = models.CharField(max_length=600, blank=True, default="")
    scopes = models.JSONField(default=list, blank=True)
    session_id = models.CharField(max_length=32, blank=True, default="")
    # The code this family came from (codes.code_digest): a replayed code revokes it.
    code_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    rotating = models.BooleanField(default=False)
    # The ID-token facts a refresh re-issues (no nonce: OIDC Core section 12.2).
    auth_time = models.DateTimeField()
    generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_exchanged_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["user", "application", "revoked_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"refresh token {self.id} of {self.user_id} for {self.application}"


class RefreshToken(models.Model):
    """One refresh token of a family, stored as its HMAC digest only. Its parent, the token
    exchanged for it, is the family's previous generation. A token is spent when its
    family's generation is past its own; it was spent at its child's `issued_at` (the
    family's `rotated_at` for the newest child). `idle_expires_at` is renewed per use (a new
    token gets a new deadline)."""

    digest = models.CharField(primary_key=True, max_length=64, editable=False)
    # No index of its own: the (family, generation) constraint's index starts with it, and
    # every rotation pays for each index the table has.
    family = models.ForeignKey(
        RefreshTokenFamily, on_delete=models.CASCADE, related_name="tokens", db_index=False
    )
    generation = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    idle_expires_at = models.DateTimeField(null=True, blank=True)
    # The digest its child will have (applications/refresh_token_format.py): how the server
    # recognises that child when a database crash lost the rotation that issued it.
    # Empty for tokens issued before it was kept; that is also the column's database
    # default, so servers still running the code before it can insert tokens while a
    # deploy rolls out.
    child_digest = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )

    class Meta:
        ordering = ["family", "generation"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "generation"], name="one_refresh_token_per_generation"
            )
        ]

    def __str__(self) -> str:
        return f"generation {self.generation} of {self.family_id}"
