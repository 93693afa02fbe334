"""The browser-flow settings of a client in the Management API contract (POST and PATCH
/api/v2/clients): the four URL lists, is_first_party, jwt_configuration, refresh_token, the
loopback extension and `rotate_secret`, and the fields Terraform and the Auth0 Deploy CLI send that
Gatehouse accepts and ignores. Wording from Auth0's Management API schema where it has one
(AUTH0_USER_FLOWS.md sections 1.3, 2.2 and 5.1). Used by applications/api_schemas.py.
"""

from applications.models import (
    MAX_ID_TOKEN_LIFETIME,
    MAX_REFRESH_LEEWAY,
    MAX_REFRESH_TOKEN_LIFETIME,
    URL_LISTS,
    ExpirationType,
    IdTokenAlg,
    RotationType,
)
from applications.redirect_uris import MAX_URLS
from config.api_schema import SchemaDict
from config.openapi import BOOL, STRING

_URL_LIST_HELP = {
    "callbacks": "Comma-separated list of URLs whitelisted for Auth0 to use as a callback to "
    "the client after authentication.",
    "allowed_logout_urls": "Comma-separated list of URLs that are valid to redirect to after "
    "logout from Auth0. Wildcards are allowed for subdomains.",
    "web_origins": "Comma-separated list of allowed origins for use with Cross-Origin "
    "Authentication, Device Flow, and web message response mode.",
    "allowed_origins": "Comma-separated list of URLs allowed to make requests from JavaScript "
    "to Auth0 API (typically used with CORS). By default, all your callback URLs will be "
    "allowed. This field allows you to enter other origins if necessary.",
}
_URL_LIST_FIELDS: dict[str, SchemaDict] = {
    field: {
        "type": "array",
        "maxItems": MAX_URLS,
        "uniqueItems": True,
        "items": {"type": "string", "maxLength": 2000},
        "description": _URL_LIST_HELP[field],
    }
    for field, _, _ in URL_LISTS
}
_JWT_CONFIGURATION: SchemaDict = {
    "type": "object",
    "additionalProperties": False,
    "description": "Configuration related to JWTs for the client.",
    "properties": {
        "alg": {
            "type": "string",
            "enum": list(IdTokenAlg.values),
            "description": "Algorithm used to sign ID tokens: RS256 (the tenant key, default) "
            "or HS256 (the client secret; confidential clients only).",
        },
        "lifetime_in_seconds": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_ID_TOKEN_LIFETIME,
            "description": "Number of seconds the ID token will be valid for (affects exp "
            "claim). Default 36000.",
        },
        "secret_encoded": {
            "type": "boolean",
            "description": "Whether the client secret is base64 encoded (true) or unencoded "
            "(false). Gatehouse's secrets are used as issued: true is refused with HS256 and "
            "means nothing with RS256.",
        },
        "scopes": {
            "type": "object",
            "description": "Accepted and ignored (Auth0's legacy claim mapping).",
        },
    },
}
_IS_FIRST_PARTY: SchemaDict = {
    "type": "boolean",
    "description": "Whether this client a first party client (true) or not (false). Fixed "
    "when the client is created: PATCH accepts only the current value.",
}
_ALLOW_LOOPBACK_ANY_PORT: SchemaDict = {
    "type": "boolean",
    "description": "Gatehouse extension (RFC 8252 section 7.3): a registered http://127.0.0.1 "
    "or http://[::1] callback also matches the same URL on any port. Default false "
    "(exact match, as Auth0).",
}


def _ignored(schema: SchemaDict, what: str) -> SchemaDict:
    return {**schema, "nullable": True, "description": f"Accepted and ignored: {what}"}


# Fields Terraform (terraform-provider-auth0) and the Auth0 Deploy CLI send on a client. They
# configure features Gatehouse does not have, so any well-typed value is accepted (a config
# exported from Auth0 loads) and none is stored; the client JSON reports what Gatehouse
# really does where Auth0 tooling reads it (oidc_conformant, sso_disabled, ...).
IGNORED_FIELDS: dict[str, SchemaDict] = {
    "oidc_conformant": _ignored(BOOL, "Gatehouse is always OIDC conformant."),
    "sso": _ignored(BOOL, "SSO-integration setting; Gatehouse has no SSO integrations."),
    "sso_disabled": _ignored(BOOL, "the sign-in session serves every application."),
    "cross_origin_auth": _ignored(BOOL, "no cross-origin authentication endpoint."),
    "cross_origin_authentication": _ignored(BOOL, "no cross-origin authentication endpoint."),
    "cross_origin_loc": _ignored(STRING, "no cross-origin authentication endpoint."),
    "custom_login_page_on": _ignored(BOOL, "one sign-in page for every application."),
    "custom_login_page": _ignored(STRING, "one sign-in page for every application."),
    "custom_login_page_preview": _ignored(STRING, "one sign-in page for every application."),
    "form_template": _ignored(STRING, "no WS-Fed or SAML forms."),
    "is_token_endpoint_ip_header_trusted": _ignored(BOOL, "no client IP header is trusted."),
    "initiate_login_uri": _ignored(STRING, "no third-party initiated login."),
    "logo_uri": _ignored(STRING, "the sign-in and consent pages show no logos."),
    "client_metadata": _ignored({"type": "object"}, "not stored."),
    "native_social_login": _ignored({"type": "object"}, "no social connections."),
    "mobile": _ignored({"type": "object"}, "no mobile app links."),
    "addons": _ignored({"type": "object"}, "no add-ons."),
    "encryption_key": _ignored({"type": "object"}, "no token encryption."),
    "oidc_logout": _ignored({"type": "object"}, "no back-channel logout."),
    "oidc_backchannel_logout": _ignored({"type": "object"}, "no back-channel logout."),
    "organization_usage": _ignored(STRING, "no organizations."),
    "organization_require_behavior": _ignored(STRING, "no organizations."),
    "default_organization": _ignored({"type": "object"}, "no organizations."),
    "allowed_clients": _ignored({"type": "array", "items": STRING}, "no WS-Fed delegation."),
    "client_aliases": _ignored({"type": "array", "items": STRING}, "no WS-Fed aliases."),
    "require_pushed_authorization_requests": _ignored(BOOL, "no pushed authorization requests."),
    "require_proof_of_possession": _ignored(BOOL, "no proof-of-possession tokens."),
    "compliance_level": _ignored(STRING, "no compliance profiles."),
    "skip_non_verifiable_callback_uri_confirmation_prompt": _ignored(
        BOOL, "no such prompt: consent is always asked for such callbacks."
    ),
    "token_exchange": _ignored({"type": "object"}, "no token exchange."),
    "session_transfer": _ignored({"type": "object"}, "no session transfer."),
}
# Auth0's `refresh_token` object (AUTH0_USER_FLOWS.md section 4.3; applications/
# refresh_settings.py): rotation_type and expiration_type are required, as in Auth0's schema;
# members left out keep their values (on create: the application type's defaults).
REFRESH_TOKEN: SchemaDict = {
    "type": "object",
    "nullable": True,
    "additionalProperties": False,
    "required": ["rotation_type", "expiration_type"],
    "description": "Refresh token configuration. null changes nothing.",
    "properties": {
        "rotation_type": {
            "type": "string",
            "enum": list(RotationType.values),
            "description": "rotating: each exchange returns a new refresh token and reuse of "
            "an old one revokes the family and the grant. Requires expiring.",
        },
        "expiration_type": {
            "type": "string",
            "enum": list(ExpirationType.values),
            "description": "expiring: the lifetimes below apply (unless infinite).",
        },
        "leeway": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_REFRESH_LEEWAY,
            "description": "Period in seconds where the previous refresh token can be "
            "exchanged without triggering breach detection (the same new token is returned).",
        },
        "token_lifetime": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_REFRESH_TOKEN_LIFETIME,
            "description": "Period (in seconds) for which refresh tokens will remain valid, "
            "counted from sign-in; rotation does not extend it.",
        },
        "infinite_token_lifetime": {
            "type": "boolean",
            "description": "Prevents tokens from having a set lifetime when true (takes "
            "precedence over token_lifetime values).",
        },
        "idle_token_lifetime": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_REFRESH_TOKEN_LIFETIME,
            "description": "Period (in seconds) for which refresh tokens will remain valid "
            "without use; at most token_lifetime.",
        },
        "infinite_idle_token_lifetime": {
            "type": "boolean",
            "description": "Prevents tokens from expiring without use when true (takes "
            "precedence over idle_token_lifetime values).",
        },
        "policies": {
            "type": "array",
            "nullable": True,
            "maxItems": 0,
            "description": "Multi-resource refresh token policies are not supported: absent, "
            "null or empty.",
        },
    },
}
BROWSER_FIELDS: dict[str, SchemaDict] = {
    **_URL_LIST_FIELDS,
    "is_first_party": _IS_FIRST_PARTY,
    "allow_loopback_any_port": _ALLOW_LOOPBACK_ANY_PORT,
    "jwt_configuration": _JWT_CONFIGURATION,
    "refresh_token": REFRESH_TOKEN,
}
ROTATE_SECRET: SchemaDict = {
    "type": "boolean",
    "description": "Gatehouse extension: true rotates the client secret with this change, all "
    "or nothing, and the response carries the new client_secret (shown once). Switching "
    "jwt_configuration.alg to HS256 needs it, because Gatehouse stores only a digest of an "
    "RS256 client's secret. Needs update:client_keys besides update:clients, as "
    "rotate-secret does.",
}
