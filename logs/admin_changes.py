"""Changes made in the Django admin, as the same `sapi` log events as every other surface.

The admin saves models itself instead of calling the domain functions that log, so each
editable ModelAdmin takes ChangeLoggingAdmin as its base and says what a change is made to
(`log_target`) and what to compare (`log_state`). One event per saved form, inlines included:
the state is read before the object is saved and again after its inlines are, inside the
transaction Django's admin opens for the form, so the change and its event commit together.
"""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from logs import audit


class ChangeLoggingAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes record one `sapi` event each (logs/audit.py).

    Subclasses set `log_object_type` and `log_noun` (Auth0's words: "client", "resource
    server") and may override `log_state` (default: the object's `to_dict()`) and
    `log_target` (default: the object itself) and `log_description`."""

    log_object_type = ""
    log_noun = ""

    def log_target(self, obj: Any) -> Any:
        """The object a change to `obj` is a change of (a scope's is its API)."""
        return obj

    def log_state(self, target: Any) -> dict[str, Any]:
        """What the log compares before and after; never a secret's value."""
        return dict(target.to_dict())

    def log_object_id(self, target: Any) -> str:
        return str(target.pk)

    def log_description(self, action: str) -> str:
        """`action` is "Create", "Update" or "Delete"."""
        return f"{action} a {self.log_noun}"

    def _record(
        self, action: str, target: Any, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> None:
        audit.changed(
            self.log_description(action),
            object_type=self.log_object_type,
            object_id=self.log_object_id(target),
            before=before,
            after=after,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        # The form has already changed `obj`: the state before comes from the database.
        before = None
        target = self.log_target(obj)
        if target is not obj or change:
            stored = type(target)._default_manager.filter(pk=target.pk).first()
            before = self.log_state(stored) if stored is not None else None
        request._log_change_before = (  # type: ignore[attr-defined]
            "Update" if change or target is not obj else "Create",
            before,
        )
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        action, before = getattr(request, "_log_change_before", ("Update", None))
        target = self.log_target(form.instance)
        self._record(action, target, before, self.log_state(_fresh(target)))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        target = self.log_target(obj)
        with transaction.atomic():
            if target is obj:
                self._record("Delete", obj, self.log_state(obj), None)
                super().delete_model(request, obj)
            else:
                before = self.log_state(target)
                super().delete_model(request, obj)
                self._record("Update", target, before, self.log_state(_fresh(target)))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # "Delete selected": one event per deleted object, all in one transaction.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


def _fresh(target: Model) -> Model:
    return type(target)._default_manager.get(pk=target.pk)
