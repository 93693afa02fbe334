from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from apis import tenant_settings
from apis.models import SINGLETON_ID, Api, Scope, TenantSettings
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


@admin.register(TenantSettings)
class TenantSettingsAdmin(admin.ModelAdmin):
    """The tenant's one settings row (the default audience). Saved through
    apis.tenant_settings.update, as the console and the Management API save it: the API is
    locked while it is named, and the change is logged the same way. There is nothing to add
    or delete: before anything was saved, the page shows the defaults."""

    fields = ("default_audience", "updated_at")
    readonly_fields = ("updated_at",)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # A list of one row (or of none, before the first save) would only be a detour.
        return redirect("admin:apis_tenantsettings_change", SINGLETON_ID)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> TenantSettings | None:
        if object_id != str(SINGLETON_ID):
            return None  # the admin says it does not exist
        return TenantSettings.objects.current()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        api = form.cleaned_data["default_audience"]
        tenant_settings.update(default_audience=api.identifier if api is not None else "")
