from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from applications import clients
from applications.models import AppType
from config.cli import StrictCommand, validation_message
from keys.models import SigningKey


class Command(StrictCommand):
    help = "Create an application. Its client secret is printed once and never again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--type", choices=AppType.values, default=AppType.NON_INTERACTIVE, dest="app_type"
        )
        parser.add_argument("--description", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            application, secret = clients.create_application(
                name=options["name"],
                app_type=options["app_type"],
                description=options["description"],
            )
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["json"]:
            current = SigningKey.objects.current()
            self.print_json(application.to_dict(current, client_secret=secret))
            return
        self.stdout.write(f"Created application {application.name}.")
        self.stdout.write(f"client_id:     {application.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        self.stdout.write(
            "Store the secret now: it is not shown again (rotate it to get a new one)."
        )
