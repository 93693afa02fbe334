from django.contrib import admin
from django.http import HttpRequest

from applications.models import Application, ClientGrant
from config.admin import TextIdAdmin


class ClientGrantInline(admin.TabularInline):
    model = ClientGrant
    fields = ("id", "api", "scopes")
    # Scopes must belong to the grant's API: they are edited in the console or the API.
    readonly_fields = ("id", "api", "scopes")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
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
class ClientGrantAdmin(TextIdAdmin):
    list_display = ("id", "application", "api", "created_at")
    list_select_related = ("application", "api")
    search_fields = ("id", "application__name", "application__client_id", "api__identifier")
    list_filter = ("api",)
    fields = ("id", "application", "api", "scopes", "created_at")
    readonly_fields = ("id", "application", "api", "scopes", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
