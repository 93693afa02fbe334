from typing import Any

from django.core.management import call_command

from apis import resource_servers
from keys import signing
from keys.cli import StrictCommand


class Command(StrictCommand):
    help = (
        "Apply migrations and make sure the tenant signing keys and the system Management API "
        "exist. Idempotent: run it on every deploy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        created = signing.ensure_keys()
        api = resource_servers.ensure_management_api()
        self.stdout.write(
            f"Signing keys: {len(created)} created; current key {signing.current_kid()}."
        )
        self.stdout.write(f"Management API: {api.identifier}")
