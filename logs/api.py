"""Management API v2: log events (GET /api/v2/logs, GET /api/v2/logs/{id}).

Auth0's shapes ("Search log events", "Retrieve Log Events Using the Management API"): by
search, pages of events newest first; by checkpoint, the events after a log_id in log_id order
with a Link header to the next page. The handlers are plain: config/api_urls.py wraps them in
keys.bearer.route() with the scope read:logs (logs is below keys, so it cannot import the
bearer check itself). Every event is built by LogEvent.to_dict(); `details` holds no secret
(logs/events.py scrubs it before it is stored).
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from config.api import field_selection, invalid_query, not_found, ok, read_path, read_query
from config.api_schema import SINGLE_OBJECT_QUERY
from logs import search
from logs.api_schemas import LOG_ID_PARAM, LOGS_QUERY
from logs.models import LogEvent

DEFAULT_PER_PAGE = 50
# Parameters of a search; none of them means anything to a checkpoint read.
SEARCH_ONLY = ("q", "search", "sort", "page", "per_page", "include_totals")


def list_logs(request: HttpRequest) -> JsonResponse:
    """Either a search (`q`/`search`, `sort`, `page` from 0, `per_page` 1..100, default 50;
    with include_totals `{start, limit, length, total, logs}`) or a checkpoint read (`from`,
    `take` 1..100). Auth0 ignores the search parameters next to `from`; Gatehouse refuses the
    mix with a 400, so a caller never gets results it did not ask for."""
    query = read_query(request, LOGS_QUERY)
    select = field_selection(query)
    if "from" in query or "take" in query:
        mixed = [name for name in SEARCH_ONLY if name in query]
        if mixed:
            raise invalid_query(
                f"from/take read by checkpoint and cannot be combined with {', '.join(mixed)}"
            )
        return _by_checkpoint(request, query, select)
    if "q" in query and "search" in query:
        raise invalid_query("Use either q or search, not both")
    try:
        condition = search.parse(query.get("q", query.get("search", "")))
    except search.InvalidQuery as error:
        raise invalid_query(str(error), "q" if "q" in query else "search") from error
    newest_first = query.get("sort", "date:-1") == "date:-1"
    events = LogEvent.objects.filter(condition).order_by(
        *(("-date", "-log_id") if newest_first else ("date", "log_id"))
    )
    per_page = query.get("per_page", DEFAULT_PER_PAGE)
    start = query.get("page", 0) * per_page
    page = [select(event.to_dict()) for event in events[start : start + per_page]]
    if not query.get("include_totals", False):
        return ok(page)
    return ok(
        {
            "start": start,
            "limit": per_page,
            "length": len(page),
            "total": events.count(),
            "logs": page,
        }
    )


def _by_checkpoint(request: HttpRequest, query: dict[str, Any], select: Any) -> JsonResponse:
    """Auth0's checkpoint read: the `take` events whose log_id comes after `from` (all events
    from the oldest when `from` is absent), in log_id order, which is the order they were
    recorded in (logs.models.new_log_id). The Link header's next page starts after the last
    event returned, or repeats this request when there is none yet, so an exporter polls the
    same URL until something new arrives."""
    take = query.get("take", DEFAULT_PER_PAGE)
    events = LogEvent.objects.order_by("log_id")
    if "from" in query:
        events = events.filter(log_id__gt=query["from"])
    rows = list(events[:take])
    following: dict[str, Any] = {"take": take}
    if rows:
        following["from"] = rows[-1].log_id
    elif "from" in query:
        following["from"] = query["from"]
    for name in ("fields", "include_fields"):
        if name in request.GET:
            following[name] = request.GET[name]
    response = ok([select(event.to_dict()) for event in rows])
    # The tenant's own URL, as Auth0 links to the tenant domain: never built from Host.
    next_url = f"{settings.PUBLIC_URL}/api/v2/logs?{urlencode(following)}"
    response["Link"] = f'<{next_url}>; rel="next"'
    return response


def get_log(request: HttpRequest, log_id: str) -> JsonResponse:
    """One event by its log_id (Auth0's "Get a log event by id"), with `fields` and
    `include_fields`; 404 `inexistent_log` when there is none (pruned, or never recorded)."""
    select = field_selection(read_query(request, SINGLE_OBJECT_QUERY))
    event = LogEvent.objects.filter(log_id=read_path(log_id, LOG_ID_PARAM)).first()
    if event is None:
        raise not_found("The log event does not exist.", "inexistent_log")
    return ok(select(event.to_dict()))
