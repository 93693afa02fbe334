from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from applications.models import Application, ClientGrant
from config.admin import TextIdAdmin
from logs.admin_changes import ChangeLoggingAdmin


class ClientGrantInline(admin.TabularInline):
    model = ClientGrant
    fields = ("id", "api", "scopes")
    # Scopes must belong to the grant's API: they are edited in the console or the API.
    readonly_fields = ("id", "api", "scopes")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ChangeLoggingAdmin):
    log_object_type = "client"
    log_noun = "client"

    def log_object_id(self, target: Application) -> str:
        return target.client_id

    def log_state(self, target: Application) -> dict[str, Any]:
        # The grants inline can delete grants: they are part of what this form changes.
        grants = ClientGrant.objects.filter(application=target).select_related("application", "api")
        return {
            **target.to_dict(None),
            "client_grants": sorted((g.to_dict() for g in grants), key=lambda g: str(g["id"])),
        }

    # secret_digest is deliberately absent; secrets are rotated in the console or API.
    fields = (
        "client_id",
        "name",
        "description",
        "app_type",
        "grant_types",
        "token_endpoint_auth_method",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("client_id", "created_at", "updated_at")
    list_display = ("name", "client_id", "app_type", "created_at")
    list_filter = ("app_type", "token_endpoint_auth_method")
    search_fields = ("name", "client_id", "description")
    inlines = [ClientGrantInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # creation makes a secret that must be shown once: use the console or CLI


@admin.register(ClientGrant)
class ClientGrantAdmin(ChangeLoggingAdmin, TextIdAdmin):
    log_object_type = "client_grant"
    log_noun = "client grant"

    list_display = ("id", "application", "api", "created_at")
    list_select_related = ("application", "api")
    search_fields = ("id", "application__name", "application__client_id", "api__identifier")
    list_filter = ("api",)
    fields = ("id", "application", "api", "scopes", "created_at")
    readonly_fields = ("id", "application", "api", "scopes", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
