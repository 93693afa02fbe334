"""Console pages for log events: the Logs page (filters in a GET form, paging) and one
event's page (its fields, a change's field diff, the rest of its details as JSON).

Staff only, like every console page. `details` holds no secret (logs/events.py scrubs it
before it is stored); the pages show only what is stored.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from config.console import paginate, render_tab, staff_required
from logs import history, search
from logs.forms import LogFilterForm
from logs.models import LogEvent
from logs.types import TYPES


@staff_required
@require_safe
def log_list(request: HttpRequest) -> HttpResponse:
    """Newest first. An invalid filter shows its error and no events, never every event."""
    form = LogFilterForm(request.GET)
    events = LogEvent.objects.none()
    if form.is_valid():
        try:
            events = history.filtered(**form.cleaned_data)
        except search.InvalidQuery as error:
            form.add_error("q", str(error))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render_tab(
        request,
        "logs/partials/list.html",
        {
            "form": form,
            "page": paginate(request, events),
            "filters": kept.urlencode(),
            "section": "logs",
        },
        title="Logs",
    )


@staff_required
@require_safe
def log_detail(request: HttpRequest, log_id: str) -> HttpResponse:
    """One event: its fields, the change's diff (details["changes"], by field name) and the
    rest of `details` as indented JSON."""
    event = get_object_or_404(LogEvent, log_id=log_id)
    details = dict(event.details) if isinstance(event.details, dict) else {"": event.details}
    rows = []
    if isinstance(details.get("changes"), dict):
        # By field name: PostgreSQL (jsonb) does not keep the order the keys were written in.
        rows = [_change(field, diff) for field, diff in sorted(details.pop("changes").items())]
    return render_tab(
        request,
        "logs/partials/event.html",
        {
            "event": event,
            "type_text": TYPES.get(event.type, ""),
            "changes": [(field, _json(before), _json(after)) for field, before, after in rows],
            "details_json": json.dumps(details, indent=2, ensure_ascii=False, sort_keys=True)
            if details
            else "",
            "section": "logs",
        },
        title=f"Log event {event.type}",
    )


def _change(field: str, diff: object) -> tuple[str, object, object]:
    """One row of a change's diff. A secret field's whole entry may have been replaced by
    "[redacted]" when it was stored (logs.events.scrub): it shows in both columns."""
    if isinstance(diff, dict):
        return field, diff.get("before"), diff.get("after")
    return field, diff, diff


def _json(value: object) -> str:
    """A field's value as readable JSON (a string without its quotes)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
