from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from apis import resource_servers
from apis.models import SigningAlg
from apis.resource_servers import ScopeSpec
from config.cli import StrictCommand, validation_message


def parse_scope_argument(argument: str) -> ScopeSpec:
    """`VALUE[:DESCRIPTION]`. Scope values often hold colons (`read:orders`) and never a
    space, so: with a space, the description starts after the last colon before the first
    space; without, after the last colon only when there are two or more. Only U+0020 counts
    (RFC 6749 section 3.3): a value with U+00A0 or a tab in it is kept whole, and refused."""
    space = argument.find(" ")
    if space != -1:
        head = argument[:space]
        if ":" in head:
            value, _, rest = head.rpartition(":")
            # The description is text for people: any whitespace around it may go.
            return ScopeSpec(value, (rest + argument[space:]).strip())
        return ScopeSpec(argument)
    if argument.count(":") >= 2:
        value, _, description = argument.rpartition(":")
        return ScopeSpec(value, description)
    return ScopeSpec(argument)


class Command(StrictCommand):
    help = "Register an API (resource server) with its scopes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--identifier", required=True, help="the token audience")
        parser.add_argument(
            "--signing-alg", choices=list(SigningAlg.values), default=SigningAlg.RS256.value
        )
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            metavar="VALUE[:DESCRIPTION]",
            help="repeatable; 'read:orders:Read orders' or 'read:orders: Read orders'",
        )
        parser.add_argument("--token-lifetime", type=int, metavar="SECONDS")
        # Not argparse choices: the domain refuses the RBAC dialects and says why.
        parser.add_argument(
            "--token-dialect",
            metavar="DIALECT",
            help="access_token (the default shape) or rfc9068_profile (RFC 9068)",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        extra: dict[str, Any] = {}
        if options["token_lifetime"] is not None:
            extra["token_lifetime"] = options["token_lifetime"]
        if options["token_dialect"] is not None:
            extra["token_dialect"] = options["token_dialect"]
        try:
            api, secret = resource_servers.create_api(
                name=options["name"],
                identifier=options["identifier"],
                signing_alg=options["signing_alg"],
                scopes=[parse_scope_argument(arg) for arg in options["scope"]],
                **resource_servers.with_web_lifetime(extra),
            )
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["json"]:
            body = api.to_dict()
            if secret:
                body["signing_secret"] = secret
            self.print_json(body)
            return
        self.stdout.write(f"Created API {api.name} ({api.id}) for audience {api.identifier}.")
        if secret:
            self.stdout.write(f"HS256 signing secret (resource servers verify with it): {secret}")
