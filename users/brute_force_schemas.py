"""The brute-force slice of the Management API contract: /api/v2/user-blocks and
/api/v2/attack-protection/brute-force-protection, in Auth0's shapes (AUTH0_USER_FLOWS.md
section 7.4; Auth0's Management API "User Blocks" and "Attack Protection").

The request schema is closed (unknown members are 400s). Values the schema cannot say
precisely (`user_notification`, an allow-list entry that is not an address) are refused by
users/brute_force.py with a message naming the problem.
"""

from config.api_schema import ID_SCHEMA, TEXT_PATTERN, SchemaDict, Schemas, path_param, query, ref
from config.openapi import BOOL, INT, STRING, Contract, Operation, Path, object_schema
from users.brute_force import MAX_ALLOWLIST, MAX_ATTEMPTS, MIN_ATTEMPTS, NOTIFICATION_SHIELD
from users.models import BruteForceMode

USER_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the user (auth0|..., URL-encoded).")
IDENTIFIER_QUERY = [
    query(
        "identifier",
        {"type": "string", "minLength": 1, "maxLength": 254, "pattern": TEXT_PATTERN},
        "The identifier typed at sign-in (the email, compared without case). Required.",
    ),
]

_SETTINGS_UPDATE: SchemaDict = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "enabled": {"type": "boolean", "description": "Whether failed sign-ins are counted."},
        "shields": {
            "type": "array",
            "maxItems": 2,
            "items": {"type": "string", "enum": ["block", NOTIFICATION_SHIELD]},
            "description": '"block" blocks the pair. "user_notification" is refused: '
            "Gatehouse sends no email or SMS.",
        },
        "allowlist": {
            "type": "array",
            "maxItems": MAX_ALLOWLIST,
            "items": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": TEXT_PATTERN},
            "description": "IP addresses and CIDR ranges never counted or blocked.",
        },
        "mode": {
            "type": "string",
            "enum": list(BruteForceMode.values),
            "description": "Count failures per identifier and IP, or per identifier alone.",
        },
        "max_attempts": {
            "type": "integer",
            "minimum": MIN_ATTEMPTS,
            "maximum": MAX_ATTEMPTS,
            "description": "Failures that block; raising it releases pairs below it.",
        },
    },
}

REQUESTS = Schemas({"BruteForceProtectionUpdate": _SETTINGS_UPDATE})

RESPONSES: dict[str, SchemaDict] = {
    "BruteForceProtection": object_schema(
        {
            "enabled": BOOL,
            "shields": {"type": "array", "items": STRING},
            "allowlist": {"type": "array", "items": STRING},
            "mode": STRING,
            "max_attempts": INT,
        }
    ),
    "UserBlocks": object_schema(
        {
            "blocked_for": {
                "type": "array",
                "items": object_schema({"identifier": STRING, "ip": STRING, "connection": STRING}),
            }
        }
    ),
}

_BLOCKS = "User Blocks"
_PATHS = {
    "mgmt-user-blocks": Path(
        "/user-blocks",
        _BLOCKS,
        {
            "GET": Operation(
                "get_user_blocks",
                "Get blocks by identifier",
                (200, "The blocks in force for the identifier.", ref("UserBlocks")),
                parameters=IDENTIFIER_QUERY,
                description='`ip` is "" for a count_per_identifier block (every IP). Any '
                "identifier may be blocked, with or without an account.",
            ),
            "DELETE": Operation(
                "delete_user_blocks",
                "Unblock by identifier",
                (204, "Every block of the identifier released (also when there was none).", None),
                parameters=IDENTIFIER_QUERY,
            ),
        },
    ),
    "mgmt-user-block": Path(
        "/user-blocks/{id}",
        _BLOCKS,
        {
            "GET": Operation(
                "get_user_blocks_by_id",
                "Get a user's blocks",
                (200, "The blocks in force for the user's email.", ref("UserBlocks")),
                (404,),
                parameters=[USER_ID_PARAM],
            ),
            "DELETE": Operation(
                "delete_user_blocks_by_id",
                "Unblock a user",
                (204, "Every block of the user released (also when there was none).", None),
                (404,),
                parameters=[USER_ID_PARAM],
            ),
        },
    ),
    "mgmt-brute-force-protection": Path(
        "/attack-protection/brute-force-protection",
        "Attack Protection",
        {
            "GET": Operation(
                "get_brute_force_protection",
                "Get brute-force settings",
                (200, "Brute-force protection settings.", ref("BruteForceProtection")),
                parameters=[],
            ),
            "PATCH": Operation(
                "patch_brute_force_protection",
                "Update brute-force settings",
                (200, "Brute-force protection settings updated.", ref("BruteForceProtection")),
                body="BruteForceProtectionUpdate",
                description="Only the members sent change. Allow-list entries are IPv4 or IPv6 "
                "addresses or CIDR ranges without host bits.",
            ),
        },
    ),
}
CONTRACT = Contract(requests=REQUESTS, responses=RESPONSES, paths=_PATHS)
