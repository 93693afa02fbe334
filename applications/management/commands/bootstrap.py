from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from apis import resource_servers
from config.cli import StrictCommand
from keys import signing, vault


class Command(StrictCommand):
    help = (
        "Apply migrations, collect static files into STATIC_ROOT, and make sure the tenant "
        "signing keys and the system Management API exist. Idempotent: run it on every deploy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        # The deploy step operators already run: with DEBUG off, WhiteNoise serves only what
        # was collected (hashed and compressed), so a deploy without it has an unstyled console.
        call_command("collectstatic", interactive=False, verbosity=0)
        created = signing.ensure_keys()
        api = resource_servers.ensure_management_api()
        try:
            # Fail the deploy now, not on the first token request, if the keys can't be opened.
            kid = signing.current_kid()
        except vault.UndecryptableSecret as error:
            raise CommandError(
                "The current signing key cannot be decrypted: KEY_ENCRYPTION_KEYS must include "
                "the key it was encrypted with."
            ) from error
        self.stdout.write(f"Signing keys: {len(created)} created; current key {kid}.")
        self.stdout.write(f"Management API: {api.identifier}")
