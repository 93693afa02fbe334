"""The signing keys' slice of the Management API contract (/api/v2/keys/signing).

Path parameter, response schemas and documented operations in Auth0's shapes
(AUTH0_COMPAT.md section 7); the scopes come from the routes in keys/api.py.
"""

from config.api_schema import ID_SCHEMA, Schemas, path_param, ref
from config.openapi import BOOL, DATE, STRING, Contract, Operation, Path, object_schema

# Our kids are RFC 7638 SHA-256 thumbprints (43 base64url characters), Auth0's have 21: any
# id up to MAX_ID_LENGTH is looked up, and a missing one is a 404.
KID_PARAM = path_param("kid", ID_SCHEMA, "Key id of the key.")

RESPONSES = {
    "SigningKey": object_schema(
        {
            "kid": STRING,
            "cert": STRING,
            "pkcs7": STRING,
            "fingerprint": STRING,
            "thumbprint": STRING,
            "current": BOOL,
            "next": BOOL,
            "previous": BOOL,
            "current_since": DATE,
            "current_until": DATE,
            "revoked": BOOL,
            "revoked_at": DATE,
        }
    ),
    "SigningKeyRef": object_schema({"kid": STRING, "cert": STRING}),
}

_TAG = "Signing Keys"
CONTRACT = Contract(
    requests=Schemas({}),
    responses=RESPONSES,
    paths={
        "mgmt-signing-keys": Path(
            "/keys/signing",
            _TAG,
            {
                "GET": Operation(
                    "get_signing_keys",
                    "Get all application signing keys",
                    (200, "Signing keys.", {"type": "array", "items": ref("SigningKey")}),
                ),
            },
        ),
        "mgmt-signing-keys-rotate": Path(
            "/keys/signing/rotate",
            _TAG,
            {
                "POST": Operation(
                    "post_signing_keys",
                    "Rotate the application signing key",
                    (
                        201,
                        "The key that now signs (until now the next key).",
                        ref("SigningKeyRef"),
                    ),
                    description="No request body.",
                ),
            },
        ),
        "mgmt-signing-key": Path(
            "/keys/signing/{kid}",
            _TAG,
            {
                "GET": Operation(
                    "get_signing_key",
                    "Get an application signing key by its key id",
                    (200, "Signing key.", ref("SigningKey")),
                    (404,),
                    parameters=[KID_PARAM],
                ),
            },
        ),
        "mgmt-signing-key-revoke": Path(
            "/keys/signing/{kid}/revoke",
            _TAG,
            {
                "PUT": Operation(
                    "put_signing_keys",
                    "Revoke an application signing key by its key id",
                    (200, "The revoked key.", ref("SigningKeyRef")),
                    (400, 404),
                    parameters=[KID_PARAM],
                    description="Only a previous key can be revoked: 400 "
                    "invalid_signing_key_state for the current key (rotate first), the next "
                    "key or a revoked key, and nothing changes. No request body.",
                ),
            },
        ),
    },
)
