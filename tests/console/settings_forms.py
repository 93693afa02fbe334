"""What the application Settings form posts for its Refresh Token fieldset when nothing there
is changed (Auth0's recorded defaults), for tests that post the whole form as a browser does."""

REFRESH_DEFAULTS = {
    "refresh_rotation_type": "non-rotating",
    "refresh_leeway": "0",
    "refresh_expiration_type": "non-expiring",
    "refresh_token_lifetime": "2592000",
    "refresh_infinite_token_lifetime": "on",
    "refresh_idle_token_lifetime": "1296000",
    "refresh_infinite_idle_token_lifetime": "on",
}


def settings_form(**changes: object) -> dict:
    """The whole Settings form of the regular web application "Storefront" as a browser posts
    it unchanged, with `changes` applied; a change to None leaves that field out."""
    form: dict[str, object] = {
        "name": "Storefront",
        "description": "",
        "app_type": "regular_web",
        "token_endpoint_auth_method": "client_secret_post",
        "callbacks": "",
        "allowed_logout_urls": "",
        "web_origins": "",
        "allowed_origins": "",
        "id_token_alg": "RS256",
        "id_token_lifetime": "36000",
        **REFRESH_DEFAULTS,
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}
