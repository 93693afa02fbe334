"""Console forms for applications and their grants. Validation of the rules themselves
happens in applications/clients.py; these forms only shape input."""

from django import forms

from applications.models import AppType, TokenEndpointAuthMethod

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


class GrantTypesForm(forms.Form):
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
