"""The logs' slice of the Management API contract: GET /api/v2/logs and /api/v2/logs/{id}.

Query parameters (enforced by logs/api.py, published in the OpenAPI document), the event's
response schema and the documented operations, in Auth0's shapes ("Search log events" and
"Get a log event by id" in Auth0's Management API v2 reference).
"""

from config.api_schema import (
    FIELDS,
    FROM,
    ID_SCHEMA,
    INCLUDE_FIELDS,
    INCLUDE_TOTALS,
    PAGE,
    PER_PAGE,
    TAKE,
    TEXT_PATTERN,
    Schemas,
    path_param,
    query,
    ref,
)
from config.openapi import BOOL, INT, STRING, Contract, Operation, Path, object_schema, selection
from logs.models import PUBLIC_TEXT_FIELDS
from logs.search import FIELDS as SEARCHABLE

SORTS = ("date:1", "date:-1")
_Q_TEXT = (
    'Search criteria in Auth0\'s log query syntax: field:value or field:"value" (exact, case '
    f"sensitive; a trailing * for a prefix) on {', '.join(SEARCHABLE)}; date:[A TO B] with ISO "
    "dates or date-times and * for an open end; AND, OR (a space is AND) and parentheses."
)
LOGS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FIELDS,
    INCLUDE_FIELDS,
    query("q", {"type": "string", "maxLength": 2000, "pattern": TEXT_PATTERN}, _Q_TEXT),
    query(
        "search",
        {"type": "string", "maxLength": 2000, "pattern": TEXT_PATTERN},
        "The same as q (auth0-python sends it under this name); not together with q.",
    ),
    query(
        "sort",
        {"type": "string", "enum": list(SORTS)},
        "date:-1 (newest first, the default) or date:1 (oldest first).",
    ),
    FROM,
    TAKE,
]
LOG_ID_PARAM = path_param("id", ID_SCHEMA, "The log_id of the event.")

_LOG = object_schema(
    {
        "log_id": STRING,
        "date": {"type": "string", "format": "date-time"},
        "type": STRING,
        **{name: STRING for name in PUBLIC_TEXT_FIELDS},
        "details": {"type": "object"},
        "isMobile": BOOL,
    },
    required=["log_id", "date", "type", "isMobile"],
)
RESPONSES = {
    "Log": _LOG,
    "LogFields": selection(_LOG),
    # Auth0's logs page has `length` besides the usual totals.
    "LogFieldsList": object_schema(
        {
            "start": INT,
            "limit": INT,
            "length": INT,
            "total": INT,
            "logs": {"type": "array", "items": ref("LogFields")},
        }
    ),
}

_LOGS = "Logs"
_PATHS = {
    "mgmt-logs": Path(
        "/logs",
        _LOGS,
        {
            "GET": Operation(
                "get_logs",
                "Search log events",
                (
                    200,
                    "Log events: an array, or with include_totals=true "
                    "{start, limit, length, total, logs}.",
                    {
                        "oneOf": [
                            {"type": "array", "items": ref("LogFields")},
                            ref("LogFieldsList"),
                        ]
                    },
                ),
                (400,),
                parameters=LOGS_QUERY,
                description="By search (q, page, per_page, sort; newest first) or by "
                "checkpoint (from, take): the events after the log_id `from` in log_id order, "
                'an array, with a Link header rel="next" to the following page (the same '
                "URL again when there is nothing newer yet). The two ways do not mix (400).",
            ),
        },
    ),
    "mgmt-log": Path(
        "/logs/{id}",
        _LOGS,
        {
            "GET": Operation(
                "get_logs_by_id",
                "Get a log event by id",
                (200, "The log event.", ref("LogFields")),
                (404,),
                parameters=[LOG_ID_PARAM, FIELDS, INCLUDE_FIELDS],
            ),
        },
    ),
}
CONTRACT = Contract(requests=Schemas({}), responses=RESPONSES, paths=_PATHS)
