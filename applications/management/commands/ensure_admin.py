import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from config.cli import StrictCommand


class Command(StrictCommand):
    help = (
        "Make sure a console login exists. The first time, creates the superuser 'admin' with a "
        "generated password (or ADMIN_PASSWORD) and prints it once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True, is_active=True).exists():
            self.stdout.write("A console admin exists; log in at /login/.")
            return
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        users.objects.create_superuser(options["username"], email="", password=password)
        self.stdout.write(
            "Created the console admin. Log in at /login/ with\n"
            f"  username: {options['username']}\n  password: {password}\n"
            "This password is shown only now; change it after logging in."
        )
