"""The tenant's settings: the default audience, for token requests that name no audience.

One entry point for the console and the Management API, which validates before it writes and
writes in one transaction. Errors are Django ValidationErrors keyed by field name.
"""

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from apis.models import SINGLETON_ID, Api, TenantSettings
from logs import audit


def update(*, default_audience: str) -> TenantSettings:
    """Make the API whose identifier is exactly `default_audience` the default audience, or
    clear it with "". The identifier is matched as sent: nothing is trimmed or folded, as on
    /oauth/token. Raises ValidationError({"default_audience": ...}) and writes nothing when no
    API has that identifier."""
    with transaction.atomic():
        current = TenantSettings.objects.select_related("default_audience").first()
        before = current.to_dict() if current is not None else {"default_audience": ""}
        api = None
        if default_audience:
            # Locked, so a concurrent delete waits and then clears the setting it sees.
            api = Api.objects.select_for_update().filter(identifier=default_audience).first()
            if api is None:
                raise ValidationError(
                    {
                        "default_audience": "No API has the identifier "
                        f"{json.dumps(default_audience)}."
                    }
                )
        settings, _ = TenantSettings.objects.update_or_create(
            pk=SINGLETON_ID, defaults={"default_audience": api}
        )
        audit.changed(
            "Update tenant settings",
            object_type="tenant",
            object_id="settings",
            before=before,
            after=settings.to_dict(),
        )
    return settings
