"""Which events the console shows: the Logs page's filters and each object's recent events.

A filter on an application, a user or an API matches every event about it, whichever field
names it: a token event names an application in `client_id`, a change to it in
`object_id` (where `client_id` is the Management API caller, as in Auth0), a change to one of
its grants in `details["client_id"]`. Plain queries on logs.models.LogEvent; no request.
"""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet

from logs import search
from logs.models import LogEvent

RECENT = 10


def about_client(client_id: str) -> Q:
    """Events of an application: its tokens and sign-ins, changes to it and to its grants."""
    return (
        Q(client_id=client_id)
        | Q(object_type="client", object_id=client_id)
        | Q(object_type="client_grant", details__client_id=client_id)
    )


def about_user(user_id: str) -> Q:
    """Events of an end user (`auth0|...`): sign-ins, tokens, changes to the user."""
    return Q(user_id=user_id) | Q(object_type="user", object_id=user_id)


def about_audience(identifier: str) -> Q:
    """Events of an API by its identifier: tokens for it, changes to it and to its grants
    (their events carry the API's identifier as `audience`)."""
    return Q(audience=identifier)


def filtered(
    *,
    type: str = "",
    client: str = "",
    user: str = "",
    audience: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[LogEvent]:
    """Events matching every filter given, newest first. Dates are whole days in UTC, both
    included; `q` is Auth0's log query syntax (logs/search.py; raises search.InvalidQuery)."""
    condition = search.parse(q)
    if type:
        condition &= Q(type=type)
    if client:
        condition &= about_client(client)
    if user:
        condition &= about_user(user)
    if audience:
        condition &= about_audience(audience)
    if date_from:
        condition &= Q(date__gte=_midnight(date_from))
    if date_to and date_to < dt.date.max:  # the last day there is bounds nothing
        condition &= Q(date__lt=_midnight(date_to + dt.timedelta(days=1)))
    return LogEvent.objects.filter(condition).order_by("-date", "-log_id")


def recent_tab(
    kind: str, *, client: str = "", user: str = "", audience: str = ""
) -> dict[str, Any]:
    """The context of an object's Logs tab (templates/logs/includes/recent.html): its RECENT
    newest events under `filters` (those of `filtered`), and the same filters as the query
    string of the Logs page link, so the tab and the page always agree."""
    filters = {
        name: value
        for name, value in (("client", client), ("user", user), ("audience", audience))
        if value
    }
    return {
        "events": list(filtered(client=client, user=user, audience=audience)[:RECENT]),
        "filter": urlencode(filters),
        "kind": kind,
        "limit": RECENT,
    }


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
