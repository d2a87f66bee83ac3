import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from riskapp.accounts import services
from riskapp.accounts.models import Role, demo_organisation


class Command(BaseCommand):
    help = ("Development only: create or reset a user who is admin of the demo organisation, with a new "
            "random password, and print both. Fails with DJANGO_DEBUG=0.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="developer", help="User name (default: developer).")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("create_development_user runs only with DJANGO_DEBUG=1; in production create users "
                               "with createsuperuser and create_organisation")
        user, _created = services.get_or_create_user(options["username"])
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        services.set_membership(user, demo_organisation(), Role.ADMIN)
        self.stdout.write(f"Sign in as {user.get_username()} with password {password}")
