from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from apis.models import Api
from applications import clients
from applications.models import Application
from config.cli import StrictCommand, validation_message


class Command(StrictCommand):
    help = "Authorize an application for an API with some or all of its scopes (replaces scopes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--audience", required=True, help="the API identifier")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--scope", nargs="+", action="extend", metavar="VALUE")
        which.add_argument("--all-scopes", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        application = Application.objects.filter(client_id=options["client_id"]).first()
        if application is None:
            raise CommandError(f"No application with client id {options['client_id']!r}.")
        api = Api.objects.filter(identifier=options["audience"]).first()
        if api is None:
            raise CommandError(f"No API with identifier {options['audience']!r}.")
        if options["all_scopes"]:
            values = list(api.scopes.values_list("value", flat=True))
        else:
            values = list(dict.fromkeys(options["scope"]))
        try:
            grant = clients.authorize(application, api, values)
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["json"]:
            self.print_json(grant.to_dict())
            return
        self.stdout.write(
            f"Granted {application.client_id} access to {api.identifier}"
            f" with scopes: {' '.join(values) or '(none)'}."
        )
