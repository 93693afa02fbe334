"""Django admin plumbing shared by the apps' admin modules (domain free)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class TextIdAdmin(admin.ModelAdmin):
    """A ModelAdmin for a model whose primary key is text: an id with a NUL is no object
    (the admin then says so and redirects), since PostgreSQL refuses to even compare NUL."""

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        if "\x00" in object_id:
            return None
        return super().get_object(request, object_id, from_field)
