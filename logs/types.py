"""Auth0's log event type codes that Gatehouse records, with Auth0's descriptions
(https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes). A log event's `type` is
always one of TYPES; nothing else is ever written."""

SUCCESS_LOGIN = "s"
FAILED_LOGIN = "f"
FAILED_LOGIN_PASSWORD = "fp"
FAILED_LOGIN_USERNAME = "fu"
SUCCESS_LOGOUT = "slo"
FAILED_LOGOUT = "flo"
SUCCESS_SILENT_AUTH = "ssa"
FAILED_SILENT_AUTH = "fsa"
SUCCESS_CHANGE_PASSWORD = "scp"
FAILED_CHANGE_PASSWORD = "fcp"
SUCCESS_CLIENT_CREDENTIALS = "seccft"
FAILED_CLIENT_CREDENTIALS = "feccft"
SUCCESS_CODE_EXCHANGE = "seacft"
FAILED_CODE_EXCHANGE = "feacft"
SUCCESS_REFRESH = "sertft"
FAILED_REFRESH = "fertft"
REFRESH_REUSE = "ferrt"
SUCCESS_REVOCATION = "srrt"
SUCCESS_API_OPERATION = "sapi"
FAILED_API_OPERATION = "fapi"
BLOCKED_ACCOUNT = "limit_wc"
USER_BLOCK_RELEASED = "ublkdu"
RATE_LIMIT = "api_limit"
DELETED_USER = "du"

TYPES: dict[str, str] = {
    SUCCESS_LOGIN: "Success Login",
    FAILED_LOGIN: "Failed Login",
    FAILED_LOGIN_PASSWORD: "Failed Login (Incorrect Password)",
    FAILED_LOGIN_USERNAME: "Failed Login (Invalid Email/Username)",
    SUCCESS_LOGOUT: "Success Logout",
    FAILED_LOGOUT: "Failed Logout",
    SUCCESS_SILENT_AUTH: "Success Silent Auth",
    FAILED_SILENT_AUTH: "Failed Silent Auth",
    SUCCESS_CHANGE_PASSWORD: "Success Change Password",
    FAILED_CHANGE_PASSWORD: "Failed Change Password",
    SUCCESS_CLIENT_CREDENTIALS: "Success Exchange (Client Credentials for Access Token)",
    FAILED_CLIENT_CREDENTIALS: "Failed Exchange (Client Credentials for Access Token)",
    SUCCESS_CODE_EXCHANGE: "Success Exchange (Authorization Code for Access Token)",
    FAILED_CODE_EXCHANGE: "Failed Exchange (Authorization Code for Access Token)",
    SUCCESS_REFRESH: "Success Exchange (Refresh Token for Access Token)",
    FAILED_REFRESH: "Failed Exchange (Refresh Token for Access Token)",
    REFRESH_REUSE: "Failed Exchange (Rotating Refresh Token): reuse detected",
    SUCCESS_REVOCATION: "Success Revocation (Refresh Token)",
    SUCCESS_API_OPERATION: "Success API Operation",
    FAILED_API_OPERATION: "Failed API Operation",
    BLOCKED_ACCOUNT: "Blocked Account (too many failed logins from one IP)",
    USER_BLOCK_RELEASED: "User login block released",
    RATE_LIMIT: "Rate Limit on the Authentication or Management APIs",
    DELETED_USER: "Deleted User",
}
