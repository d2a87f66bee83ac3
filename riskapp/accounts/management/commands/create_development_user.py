import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from riskapp.accounts import services
from riskapp.accounts.models import Organisation, Role, demo_organisation

DEFAULT_ORGANISATION = "Development"


class Command(BaseCommand):
    help = ("Development only: create or update a user who is admin of the demo organisation, which every "
            "signed-in user can read, and of a private organisation, and print the user name and password. "
            "The password is new at every call unless --password-file names a file to keep it in. "
            "Fails with DJANGO_DEBUG=0.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="developer", help="User name (default: developer).")
        parser.add_argument("--organisation", default=DEFAULT_ORGANISATION,
                            help="Name of the user's private organisation, created when missing "
                                 f"(default: {DEFAULT_ORGANISATION}).")
        parser.add_argument("--password-file", type=Path,
                            help="File that keeps the password between calls: read when it exists, otherwise "
                                 "written with a new random password, readable by its owner only.")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("create_development_user runs only with DJANGO_DEBUG=1; in production create users "
                               "with createsuperuser and create_organisation")
        password = _password(options["password_file"])
        with transaction.atomic():
            user, _created = services.get_or_create_user(options["username"])
            if not user.check_password(password):
                # Setting the same password again would sign the user out of every session.
                user.set_password(password)
                user.save(update_fields=["password"])
            private = _private_organisation(options["organisation"])
            services.set_membership(user, private, Role.ADMIN)
            services.set_membership(user, demo_organisation(), Role.ADMIN)
        self.stdout.write(f"Sign in as {user.get_username()} with password {password}")
        self.stdout.write(f"Private organisation: {private.name} ({private.slug}); the demo organisation is "
                          "readable by every signed-in user.")


def _password(path: Path | None) -> str:
    """Return the password kept in ``path``, or a new one, written to ``path`` when given."""
    if path is not None and path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    password = secrets.token_urlsafe(12)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(password + "\n")
        except OSError as error:
            raise CommandError(f"--password-file: {path} cannot be written ({error.strerror}); "
                               "choose a writable path") from error
    return password


def _private_organisation(name: str) -> Organisation:
    slug = slugify(name)[:80]
    if not slug:
        raise CommandError(f"--organisation: {name!r} has no letter or digit to build the organisation's slug from")
    organisation, _created = Organisation.objects.get_or_create(slug=slug, defaults={"name": name})
    if organisation.is_demo:
        raise CommandError(f"--organisation: {name!r} is the demo organisation, which every signed-in user can "
                           "read; choose another name")
    return organisation
