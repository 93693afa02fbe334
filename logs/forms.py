from django import forms

from logs.types import TYPES

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class LogFilterForm(forms.Form):
    """The Logs page's filters: a GET form, every field optional."""

    type = forms.ChoiceField(
        required=False,
        choices=[("", "Any type"), *((code, f"{code} · {text}") for code, text in TYPES.items())],
    )
    client = forms.CharField(required=False, max_length=64, label="Client ID")
    user = forms.CharField(required=False, max_length=64, label="User ID")
    audience = forms.CharField(required=False, max_length=600, label="API (audience)")
    date_from = forms.DateField(required=False, label="From (UTC)", widget=DATE_INPUT)
    date_to = forms.DateField(required=False, label="To (UTC)", widget=DATE_INPUT)
    q = forms.CharField(
        required=False,
        max_length=2000,
        label="Query",
        help_text='Auth0 log query syntax, e.g. type:fp AND ip:"203.0.113.7"',
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
