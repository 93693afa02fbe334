from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from keys.models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    # The encrypted private key is not among the fields: it never reaches a page.
    fields = (
        "kid",
        "state",
        "thumbprint",
        "fingerprint",
        "cert_pem",
        "created_at",
        "current_since",
        "current_until",
        "revoked_at",
    )
    readonly_fields = fields
    list_display = ("kid", "state", "thumbprint", "created_at", "current_since", "current_until")
    list_filter = ("state",)
    search_fields = ("kid", "thumbprint")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are made by rotation, never by hand

    def has_change_permission(self, request: HttpRequest, obj: SigningKey | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SigningKey | None = None) -> bool:
        return False  # never hard-deleted; revoke instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[SigningKey]:
        return super().get_queryset(request).defer("encrypted_private_key")
