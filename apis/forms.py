"""Console forms for APIs and scopes. They only shape input: the rules live in
apis/resource_servers.py and its errors are shown on these fields."""

from django import forms

from apis.models import MAX_TOKEN_LIFETIME, SigningAlg, TokenDialect

IDENTIFIER_HELP = (
    "A logical identifier for this API, used as the audience (aud) of its tokens. We "
    "recommend a URL; it does not have to be publicly reachable. It cannot be changed later, "
    "and a trailing slash makes a different identifier."
)


class ApiCreateForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, help_text="A friendly name, e.g. Orders API."
    )
    identifier = forms.CharField(
        label="Identifier",
        max_length=600,
        help_text=IDENTIFIER_HELP,
        widget=forms.TextInput(attrs={"placeholder": "https://orders.example.com/api"}),
    )
    signing_alg = forms.ChoiceField(
        label="Signing Algorithm",
        choices=[
            (
                SigningAlg.RS256,
                "RS256 (recommended): signed with the tenant's private key, "
                "verified with the public JWKS",
            ),
            (SigningAlg.HS256, "HS256: signed with a secret shared with this API"),
        ],
        initial=SigningAlg.RS256,
        widget=forms.RadioSelect,
    )


class ApiSettingsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    token_lifetime = forms.IntegerField(
        label="Token Expiration (seconds)",
        min_value=0,
        max_value=MAX_TOKEN_LIFETIME,
        help_text=f"How long tokens for this API are valid. Default 86400 (24 hours), "
        f"maximum {MAX_TOKEN_LIFETIME} (30 days).",
    )
    token_lifetime_for_web = forms.IntegerField(
        label="Token Expiration for Browser Flows (seconds)",
        min_value=0,
        max_value=MAX_TOKEN_LIFETIME,
        help_text="For tokens issued to browser-based flows; at most the token expiration.",
    )
    # A select, not a ChoiceField: apis/resource_servers.py decides what is allowed (and says
    # why the RBAC dialects are not), so a forged value gets the domain's message.
    token_dialect = forms.CharField(
        label="Token Dialect",
        required=False,
        max_length=32,
        widget=forms.Select(choices=TokenDialect.choices),
        help_text="access_token: Auth0's default claims (azp, gty). rfc9068_profile: RFC 9068 "
        "JWT access tokens (typ at+jwt, client_id instead of azp).",
    )
    skip_consent_for_verifiable_first_party_clients = forms.BooleanField(
        label="Allow Skipping User Consent",
        required=False,
        help_text="First-party applications are not asked for consent.",
    )
    allow_offline_access = forms.BooleanField(
        label="Allow Offline Access",
        required=False,
        help_text="Applications may ask for refresh tokens for this API: an application "
        "that requests the offline_access scope, and whose grant types include "
        "refresh_token, gets a refresh token with its access token, so it can keep getting "
        "new access tokens without the user signing in again. Off: offline_access is left "
        "out and no refresh token is issued; refresh tokens already issued stop working.",
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("token_dialect"):  # not sent: leave the dialect as it is
            cleaned.pop("token_dialect", None)
        return cleaned


class ScopeForm(forms.Form):
    # strip=False: a scope with surrounding whitespace is an error to show, not to fix silently.
    value = forms.CharField(
        label="Permission (Scope)",
        max_length=280,
        strip=False,
        help_text="No spaces, e.g. read:orders.",
        widget=forms.TextInput(attrs={"placeholder": "read:orders", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label="Description",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Read orders", "autocomplete": "off"}),
    )


class DeleteApiForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the API name to confirm",
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: object, api_name: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.api_name = api_name

    def clean_confirm_name(self) -> str:
        value = self.cleaned_data["confirm_name"]
        if value != self.api_name:
            raise forms.ValidationError("The name does not match.")
        return value


class TenantSettingsForm(forms.Form):
    # strip=False: an identifier is matched exactly, as /oauth/token matches it; a stray space
    # is an error to show, not to fix silently.
    default_audience = forms.CharField(
        label="Default Audience",
        max_length=600,
        required=False,
        strip=False,
        help_text="The identifier of the API that a token request naming no audience (and no "
        "resource) is for. Empty: such requests are refused with 403 access_denied, as Auth0 "
        "does. Deleting that API clears this setting.",
        widget=forms.TextInput(
            attrs={
                "list": "api-identifiers",
                "autocomplete": "off",
                "placeholder": "https://orders.example.com/api",
            }
        ),
    )
