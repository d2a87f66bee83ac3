from django.core.management.base import BaseCommand, CommandError, CommandParser

from riskapp.accounts import services
from riskapp.accounts.models import Organisation, Role

# Role names as the command line takes them, untranslated: viewer, analyst, facilitator, admin.
ROLES = {role.name.lower(): role for role in Role}


class Command(BaseCommand):
    help = ("Give a user a role in an organisation, replacing the role they held there; a new user gets no "
            "password until one is set.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="User name of the member; created if missing.")
        parser.add_argument("organisation", help="The organisation's slug, as create_organisation prints it.")
        parser.add_argument("role", help=f"One of {', '.join(ROLES)}; each role may do everything the lower ones may.")

    def handle(self, *args, **options) -> None:
        role = ROLES.get(options["role"].lower())
        if role is None:
            raise CommandError(f"role: {options['role']!r} is not one of {', '.join(ROLES)}")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"organisation: no organisation has the slug {options['organisation']!r}; "
                               "create one with create_organisation")
        user, created = services.get_or_create_user(options["username"])
        services.set_membership(user, organisation, role)
        self.stdout.write(f"{user.get_username()} is now {role.name.lower()} of {organisation.slug}.")
        if created:
            self.stdout.write(f"Set the new user's password with: python manage.py changepassword "
                              f"{user.get_username()}")
