from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from applications import clients
from applications.models import AppType, ExpirationType, IdTokenAlg, RotationType
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
        # Repeatable, one URL each (a URL may itself contain a comma).
        parser.add_argument(
            "--callback", action="append", default=[], dest="callbacks", metavar="URL"
        )
        parser.add_argument(
            "--logout-url",
            action="append",
            default=[],
            dest="allowed_logout_urls",
            metavar="URL",
        )
        parser.add_argument(
            "--web-origin", action="append", default=[], dest="web_origins", metavar="ORIGIN"
        )
        parser.add_argument(
            "--allowed-origin",
            action="append",
            default=[],
            dest="allowed_origins",
            metavar="ORIGIN",
        )
        parser.add_argument(
            "--allow-loopback-any-port",
            action="store_true",
            help="RFC 8252 section 7.3: http://127.0.0.1 and http://[::1] callbacks match "
            "on any port.",
        )
        parser.add_argument(
            "--third-party",
            action="store_true",
            help="Someone else's application: consent is always asked. Cannot be changed.",
        )
        parser.add_argument("--id-token-alg", choices=IdTokenAlg.values, default=IdTokenAlg.RS256)
        # Auth0's `refresh_token` object; each left out keeps the application type's default
        # (applications/refresh_settings.py: single-page applications rotate).
        refresh = parser.add_argument_group("refresh tokens")
        refresh.add_argument("--refresh-rotation", choices=RotationType.values)
        refresh.add_argument("--refresh-expiration", choices=ExpirationType.values)
        refresh.add_argument(
            "--refresh-leeway", type=int, metavar="SECONDS", help="rotation overlap period"
        )
        refresh.add_argument(
            "--refresh-lifetime",
            metavar="SECONDS|infinite",
            help="maximum lifetime from sign-in, or infinite",
        )
        refresh.add_argument(
            "--refresh-idle-lifetime", metavar="SECONDS|infinite", help="or infinite"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            application, secret = clients.create_application(
                name=options["name"],
                app_type=options["app_type"],
                description=options["description"],
                callbacks=options["callbacks"],
                allowed_logout_urls=options["allowed_logout_urls"],
                web_origins=options["web_origins"],
                allowed_origins=options["allowed_origins"],
                allow_loopback_any_port=options["allow_loopback_any_port"],
                is_first_party=not options["third_party"],
                id_token_alg=options["id_token_alg"],
                refresh_token=_refresh_token(options),
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


def _lifetime(value: str, option: str) -> tuple[int | None, bool]:
    """A lifetime option: (seconds, infinite)."""
    if value == "infinite":
        return None, True
    try:
        return int(value), False
    except ValueError as error:
        raise CommandError(f"{option} must be a number of seconds or infinite") from error


def _refresh_token(options: dict[str, Any]) -> dict[str, Any]:
    """The `refresh_token` members the options set (applications/refresh_settings.py)."""
    members: dict[str, Any] = {}
    if options["refresh_rotation"] is not None:
        members["rotation_type"] = options["refresh_rotation"]
    if options["refresh_expiration"] is not None:
        members["expiration_type"] = options["refresh_expiration"]
    if options["refresh_leeway"] is not None:
        members["leeway"] = options["refresh_leeway"]
    for option, seconds, infinite in (
        ("refresh_lifetime", "token_lifetime", "infinite_token_lifetime"),
        ("refresh_idle_lifetime", "idle_token_lifetime", "infinite_idle_token_lifetime"),
    ):
        if options[option] is not None:
            value, members[infinite] = _lifetime(options[option], "--" + option.replace("_", "-"))
            if value is not None:
                members[seconds] = value
    return members
