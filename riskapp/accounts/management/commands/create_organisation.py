from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from riskapp.accounts import services


class Command(BaseCommand):
    help = "Create an organisation and make a user its admin; a new user gets no password until one is set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The organisation's name, unique; its slug is derived from it.")
        parser.add_argument("admin", help="User name of the organisation's first admin; created if missing.")

    def handle(self, *args, **options) -> None:
        user, created = services.get_or_create_user(options["admin"])
        try:
            organisation = services.create_organisation(options["name"], admin=user)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except IntegrityError as error:
            raise CommandError(f"name: {options['name']!r} or its slug is already used by an organisation; "
                               "choose another name") from error
        self.stdout.write(f"Created organisation {organisation.slug} with admin {user.get_username()}.")
        if created:
            self.stdout.write(f"Set the new user's password with: python manage.py changepassword "
                              f"{user.get_username()}")
