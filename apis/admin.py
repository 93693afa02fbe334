from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apis.models import Api, Scope
from config.admin import TextIdAdmin
from logs.admin_changes import ChangeLoggingAdmin


class ScopeInline(admin.TabularInline):
    model = Scope
    fields = ("value", "description")
    extra = 0


@admin.register(Api)
class ApiAdmin(ChangeLoggingAdmin, TextIdAdmin):
    log_object_type = "resource_server"
    log_noun = "resource server"

    # encrypted_signing_secret is deliberately absent from every field list.
    fields = (
        "id",
        "name",
        "identifier",
        "signing_alg",
        "token_lifetime",
        "token_lifetime_for_web",
        "allow_offline_access",
        "skip_consent_for_verifiable_first_party_clients",
        "is_system",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("id", "identifier", "signing_alg", "is_system", "created_at", "updated_at")
    list_display = ("name", "identifier", "signing_alg", "is_system", "created_at")
    list_filter = ("signing_alg", "is_system")
    search_fields = ("name", "identifier", "id")
    inlines = [ScopeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Api]:
        return super().get_queryset(request).defer("encrypted_signing_secret")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created through the console, CLI or Management API (they make secrets)

    def has_delete_permission(self, request: HttpRequest, obj: Api | None = None) -> bool:
        return obj is None or not obj.is_system

    def get_inline_instances(self, request: HttpRequest, obj: Api | None = None) -> list:
        if obj is not None and obj.is_system:
            return []  # the system API's scopes are fixed
        return super().get_inline_instances(request, obj)


@admin.register(Scope)
class ScopeAdmin(ChangeLoggingAdmin):
    # A scope is part of its API: a change to one is logged as an update of the API.
    log_object_type = "resource_server"
    log_noun = "resource server"

    def log_target(self, obj: Scope) -> Api:
        return obj.api

    list_display = ("value", "api", "description")
    list_select_related = ("api",)
    search_fields = ("value", "api__identifier", "api__name")
    list_filter = ("api__is_system",)
    fields = ("api", "value", "description")
    raw_id_fields = ("api",)

    def has_change_permission(self, request: HttpRequest, obj: Scope | None = None) -> bool:
        return obj is None or not obj.api.is_system

    def has_delete_permission(self, request: HttpRequest, obj: Scope | None = None) -> bool:
        return obj is None or not obj.api.is_system
