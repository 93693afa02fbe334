"""Django admin for support staff: find users, see their sessions, block or unblock them.

Never the password hash or a session's secret digest: every field is listed explicitly and
none of them is one. Everything is read-only here; blocking goes through users/directory.py
(so it ends the user's sessions), and creating or deleting users is done in the console, the
CLI or the Management API, which apply the password policy and the defaults.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from config.admin import TextIdAdmin
from users import directory
from users.models import Session, User

USER_FIELDS = (
    "id",
    "email",
    "email_verified",
    "username",
    "name",
    "nickname",
    "given_name",
    "family_name",
    "picture",
    "blocked",
    "app_metadata",
    "user_metadata",
    "created_at",
    "updated_at",
    "last_login",
    "last_ip",
    "logins_count",
    "last_password_reset",
)


class SessionInline(admin.TabularInline):
    model = Session
    # secret_digest is deliberately absent.
    fields = ("id", "created_at", "authenticated_at", "last_interacted_at", "expires_at", "ip")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(TextIdAdmin):
    list_display = ("email", "username", "name", "blocked", "last_login", "logins_count")
    list_filter = ("blocked", "email_verified")
    search_fields = ("email", "username", "name", "id")
    fields = USER_FIELDS
    readonly_fields = USER_FIELDS
    inlines = [SessionInline]
    actions = ["block", "unblock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the console, CLI and API apply the password policy and defaults

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # the console and API delete through users/directory.py

    @admin.action(description="Block selected users (ends their sessions)")
    def block(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            directory.update_user(user, blocked=True)
        self.message_user(request, f"Blocked {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Unblock selected users")
    def unblock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            directory.update_user(user, blocked=False)
        self.message_user(request, f"Unblocked {queryset.count()} user(s).", messages.SUCCESS)
