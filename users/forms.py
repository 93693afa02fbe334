"""Console forms for end users. The rules (policy, uniqueness, defaults) live in
users/directory.py; these forms only shape input. The password field never renders its
value back, so a re-rendered form with errors does not carry it."""

from django import forms


class UserCreateForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    password = forms.CharField(
        label="Password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, with 3 of: lowercase, uppercase, digits and !@#$%^&*.",
    )
    username = forms.CharField(label="Username", max_length=128, required=False)
    name = forms.CharField(
        label="Name", max_length=300, required=False, help_text="Defaults to the email."
    )
