from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from logs.models import LogEvent


@admin.register(LogEvent)
class LogEventAdmin(admin.ModelAdmin):
    """Read-only: a log that support staff could edit would answer nothing."""

    list_display = ("date", "type", "description", "client_name", "user_id", "ip")
    list_filter = ("type",)
    search_fields = ("log_id", "client_id", "user_id", "description")
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
