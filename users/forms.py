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


class BruteForceSettingsForm(forms.Form):
    """The Attack protection page's brute-force settings; users/brute_force.py validates
    (the allow-list's addresses, the range of max_attempts) and says what is wrong."""

    enabled = forms.BooleanField(label="Enabled", required=False)
    block = forms.BooleanField(
        label="Block the IP address for that identifier",
        required=False,
        help_text='Auth0\'s "block" shield. Without it nothing is counted or blocked.',
    )
    mode = forms.ChoiceField(
        label="Count failed logins",
        choices=[
            ("count_per_identifier_and_ip", "Per identifier and IP address"),
            ("count_per_identifier", "Per identifier, from any IP address (account lockout)"),
        ],
    )
    max_attempts = forms.IntegerField(
        label="Brute-force threshold",
        min_value=1,
        max_value=100,
        help_text="Failed logins (1 to 100) that block. Raising it releases blocks below it.",
    )
    allowlist = forms.CharField(
        label="IP allow-list",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="IP addresses and CIDR ranges, one per line or comma-separated: never "
        "counted or blocked.",
    )

    def changes(self) -> dict[str, object]:
        """The cleaned form as users.brute_force.update_settings arguments."""
        data = self.cleaned_data
        entries = data["allowlist"].replace(",", "\n").split("\n")
        return {
            "enabled": data["enabled"],
            "shields": ["block"] if data["block"] else [],
            "mode": data["mode"],
            "max_attempts": data["max_attempts"],
            "allowlist": [entry.strip() for entry in entries if entry.strip()],
        }
