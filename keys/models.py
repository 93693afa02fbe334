from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When


class KeyState(models.TextChoices):
    NEXT = "next", "Next"
    CURRENT = "current", "Current"
    PREVIOUS = "previous", "Previous"
    REVOKED = "revoked", "Revoked"


class SigningKeyQuerySet(models.QuerySet["SigningKey"]):
    def in_lifecycle_order(self) -> "SigningKeyQuerySet":
        """Current, next, previous, then revoked; within a state, the key that stopped
        signing last comes first."""
        return self.annotate(
            lifecycle_rank=Case(
                When(state=KeyState.CURRENT, then=Value(0)),
                When(state=KeyState.NEXT, then=Value(1)),
                When(state=KeyState.PREVIOUS, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        ).order_by("lifecycle_rank", F("current_until").desc(nulls_last=True), "-created_at", "kid")

    def published(self) -> "SigningKeyQuerySet":
        """Keys in the JWKS (every key but the revoked ones), unordered: the JWKS adds
        in_lifecycle_order(), whose CASE costs more to compile than a lookup by kid takes."""
        return self.exclude(state=KeyState.REVOKED)

    def current(self) -> "SigningKey | None":
        """The key that signs new tokens, or None before `manage.py bootstrap`. The database
        allows at most one (the one_current_signing_key constraint)."""
        return self.filter(state=KeyState.CURRENT).first()


class SigningKey(models.Model):
    """One of the tenant's RSA signing keys. Never hard-deleted: revoked keys stay as history."""

    kid = models.CharField(max_length=64, unique=True, help_text="RFC 7638 thumbprint")
    state = models.CharField(max_length=10, choices=KeyState.choices)
    # A Fernet token (keys/vault.py); the plaintext PEM is never stored.
    encrypted_private_key = models.TextField()
    public_jwk = models.JSONField()
    cert_pem = models.TextField()
    pkcs7_pem = models.TextField()
    thumbprint = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=59)
    x5t = models.CharField(max_length=27)
    x5c = models.TextField()
    created_at = models.DateTimeField()
    current_since = models.DateTimeField(null=True, blank=True)
    current_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="current"), name="one_current_signing_key"
            ),
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="next"), name="one_next_signing_key"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["next", "current", "previous", "revoked"]),
                name="signing_key_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.state})"

    def to_jwk(self) -> dict[str, object]:
        """The public JWK as published, members in Auth0's order."""
        return {
            "kty": "RSA",
            "use": "sig",
            "n": self.public_jwk["n"],
            "e": self.public_jwk["e"],
            "kid": self.kid,
            "x5t": self.x5t,
            "x5c": [self.x5c],
            "alg": "RS256",
        }

    def to_dict(self) -> dict[str, object]:
        """The Management API shape (Auth0's /api/v2/keys/signing object)."""

        def iso(value: object) -> str | None:
            return value.isoformat() if value else None  # type: ignore[attr-defined]

        return {
            "kid": self.kid,
            "cert": self.cert_pem,
            "pkcs7": self.pkcs7_pem,
            "fingerprint": self.fingerprint,
            "thumbprint": self.thumbprint,
            "current": self.state == KeyState.CURRENT,
            "next": self.state == KeyState.NEXT,
            "previous": self.state == KeyState.PREVIOUS,
            "current_since": iso(self.current_since),
            "current_until": iso(self.current_until),
            "revoked": self.state == KeyState.REVOKED,
            "revoked_at": iso(self.revoked_at),
        }
