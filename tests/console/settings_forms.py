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
