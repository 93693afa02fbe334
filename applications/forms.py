"""Console forms for applications and their grants. Validation of the rules themselves
happens in applications/clients.py; these forms only shape input."""

import re

from django import forms

from applications.models import (
    DEFAULT_ID_TOKEN_LIFETIME,
    MAX_ID_TOKEN_LIFETIME,
    MAX_REFRESH_LEEWAY,
    MAX_REFRESH_TOKEN_LIFETIME,
    AppType,
    ExpirationType,
    IdTokenAlg,
    RotationType,
    TokenEndpointAuthMethod,
)

# Auth0's Dashboard takes URLs comma-separated; one per line reads better. Either works.
_URL_SEPARATORS = re.compile(r"[,\r\n]+")

APP_TYPE_HELP: dict[str, str] = {
    AppType.NON_INTERACTIVE: "CLIs, daemons or services talking to your APIs with the client "
    "credentials grant.",
    AppType.REGULAR_WEB: "Traditional web apps that run on a server.",
    AppType.SPA: "JavaScript front ends running in the browser. Public client: no secret.",
    AppType.NATIVE: "Mobile or desktop apps. Public client: no secret.",
}

AUTH_METHOD_LABELS = [
    (TokenEndpointAuthMethod.CLIENT_SECRET_POST, "Client Secret (Post)"),
    (TokenEndpointAuthMethod.CLIENT_SECRET_BASIC, "Client Secret (Basic)"),
    (TokenEndpointAuthMethod.NONE, "None (public clients)"),
]


class UrlListField(forms.CharField):
    """A textarea of URLs, one per line or comma-separated, as a list (blank entries and
    surrounding spaces dropped). Whether each URL may be registered is the model's rule."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"})

    def __init__(self, **kwargs: object) -> None:
        super().__init__(required=False, strip=False, **kwargs)  # type: ignore[arg-type]

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [url.strip(" \t") for url in _URL_SEPARATORS.split(text) if url.strip(" \t")]

    def prepare_value(self, value: object) -> object:
        return "\n".join(value) if isinstance(value, list) else value


class ApplicationCreateForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, help_text="You can change the name later in Settings."
    )
    app_type = forms.ChoiceField(
        label="Application type",
        choices=[(value, f"{label}: {APP_TYPE_HELP[value]}") for value, label in AppType.choices],
        initial=AppType.NON_INTERACTIVE,
        widget=forms.RadioSelect,
    )
    third_party = forms.BooleanField(
        label="Third-party application",
        required=False,
        help_text="An application someone else builds: users are always asked for consent. "
        "This cannot be changed later.",
    )


class ApplicationSettingsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description",
        max_length=140,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 140 characters.",
    )
    app_type = forms.ChoiceField(label="Application Type", choices=AppType.choices)
    token_endpoint_auth_method = forms.ChoiceField(
        label="Token Endpoint Authentication Method",
        choices=AUTH_METHOD_LABELS,
        help_text="How the application sends its secret to /oauth/token: in the body (Post) "
        "or in an Authorization header (Basic).",
    )
    callbacks = UrlListField(
        label="Allowed Callback URLs",
        help_text="Where users may be sent back after signing in; one per line or "
        "comma-separated. Matched exactly; * may stand for the leftmost subdomain "
        "(https://*.example.com/callback).",
    )
    allowed_logout_urls = UrlListField(
        label="Allowed Logout URLs",
        help_text="Where users may be sent after signing out. Query and fragment are ignored "
        "when matching.",
    )
    web_origins = UrlListField(
        label="Allowed Web Origins",
        help_text="Origins (scheme, host and port) that may use silent authentication "
        "(response_mode=web_message), e.g. https://app.example.com.",
    )
    allowed_origins = UrlListField(
        label="Allowed Origins (CORS)",
        help_text="Origins whose JavaScript may call /oauth/token and /userinfo. The origins "
        "of the callback URLs are always allowed; list only others here.",
    )
    allow_loopback_any_port = forms.BooleanField(
        label="Allow any port on loopback callbacks",
        required=False,
        help_text="For native and command-line apps (RFC 8252 section 7.3): an "
        "http://127.0.0.1 or http://[::1] callback also matches on any port. Gatehouse "
        "extension; off matches Auth0.",
    )
    id_token_alg = forms.ChoiceField(
        label="ID Token Signature Algorithm",
        choices=IdTokenAlg.choices,
        help_text="RS256 signs with the tenant's key (verifiable with the JWKS; the only one "
        "auth0-spa-js accepts). HS256 signs with the client secret: confidential "
        "applications only.",
    )
    id_token_lifetime = forms.IntegerField(
        label="ID Token Expiration (seconds)",
        min_value=1,
        max_value=MAX_ID_TOKEN_LIFETIME,
        initial=DEFAULT_ID_TOKEN_LIFETIME,
    )
    refresh_rotation_type = forms.ChoiceField(
        label="Refresh Token Rotation",
        choices=RotationType.choices,
        help_text="Rotating: every refresh returns a new refresh token, and reusing an old one "
        "revokes the whole sign-in (reuse detection). Requires expiring tokens.",
    )
    refresh_leeway = forms.IntegerField(
        label="Rotation Overlap Period (seconds)",
        min_value=0,
        max_value=MAX_REFRESH_LEEWAY,
        help_text="How long the previous refresh token may still be used (parallel calls, a "
        "retry after a lost response); it gets the same new token. 0 allows no overlap.",
    )
    refresh_expiration_type = forms.ChoiceField(
        label="Refresh Token Expiration",
        choices=ExpirationType.choices,
        help_text="Expiring: the lifetimes below apply.",
    )
    refresh_token_lifetime = forms.IntegerField(
        label="Maximum Refresh Token Lifetime (seconds)",
        min_value=1,
        max_value=MAX_REFRESH_TOKEN_LIFETIME,
        help_text="Counted from sign-in; refreshing does not extend it.",
    )
    refresh_infinite_token_lifetime = forms.BooleanField(
        label="No maximum lifetime", required=False
    )
    refresh_idle_token_lifetime = forms.IntegerField(
        label="Idle Refresh Token Lifetime (seconds)",
        min_value=1,
        max_value=MAX_REFRESH_TOKEN_LIFETIME,
        help_text="A refresh token unused this long expires; each refresh renews it. At most "
        "the maximum lifetime.",
    )
    refresh_infinite_idle_token_lifetime = forms.BooleanField(
        label="No idle lifetime", required=False
    )
    rotate_secret = forms.BooleanField(
        label="Rotate the client secret with this change",
        required=False,
        help_text="Needed to switch to HS256: Gatehouse keeps only a digest of the current "
        "secret. The current secret stops working at once; the new one is shown once.",
    )


class GrantTypesForm(forms.Form):
    """The grant types Gatehouse serves (models.SERVED_GRANT_TYPES), one switch each."""

    authorization_code = forms.BooleanField(
        label="Authorization Code",
        required=False,
        help_text="Lets the application sign users in through /authorize and exchange the "
        "code for tokens.",
    )
    refresh_token = forms.BooleanField(
        label="Refresh Token",
        required=False,
        help_text="Lets the application exchange refresh tokens for new tokens. One is issued "
        "only when it asks for offline_access at an API that allows offline access.",
    )
    client_credentials = forms.BooleanField(
        label="Client Credentials",
        required=False,
        help_text="Lets the application get tokens for the APIs it is authorized for, with "
        "its client id and secret.",
    )


class GrantForm(forms.Form):
    """The Authorized toggle and the scope checkboxes of one application and one API."""

    authorized = forms.BooleanField(required=False)
    scopes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    next = forms.CharField(required=False)

    def __init__(self, *args: object, scope_values: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        scopes = self.fields["scopes"]
        assert isinstance(scopes, forms.MultipleChoiceField)
        scopes.choices = [(value, value) for value in scope_values]


class TestTokenForm(forms.Form):
    client = forms.ChoiceField(label="Application")

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        client = self.fields["client"]
        assert isinstance(client, forms.ChoiceField)
        client.choices = choices
