from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from apis import resource_servers
from config.cli import StrictCommand
from keys import signing, vault


class Command(StrictCommand):
    help = (
        "Re-encrypt every stored private key and HS256 secret under the first "
        "KEY_ENCRYPTION_KEYS entry (run after putting a new key first)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                keys = signing.reencrypt_private_keys()
                secrets = resource_servers.reencrypt_signing_secrets()
        except vault.UndecryptableSecret as error:
            raise CommandError(f"{error}; nothing was changed.") from error
        self.stdout.write(f"Re-encrypted {keys} signing keys and {secrets} API signing secrets.")
