from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from riskapp.catalog.framework_file import FrameworkFileError
from riskapp.catalog.services import load_framework_file


class Command(BaseCommand):
    help = _("Load a framework data file (YAML or JSON) into the catalog, creating or upgrading its version.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("Path of the framework data file."))

    def handle(self, *args, **options) -> None:
        try:
            report = load_framework_file(options["file"])
        except FileNotFoundError as error:
            raise CommandError(_("File not found: %(file)s") % {"file": options["file"]}) from error
        except FrameworkFileError as error:
            message = _("Invalid framework file %(file)s: %(error)s") % {"file": options["file"], "error": error}
            raise CommandError(message) from error

        self.stdout.write(_("%(version)s: %(created)d created, %(updated)d updated, %(deleted)d deleted, "
                            "%(unchanged)d unchanged.") % {
            "version": report.version_slug, "created": report.created, "updated": report.updated,
            "deleted": report.deleted, "unchanged": report.unchanged,
        })
        if options["verbosity"] >= 2:
            for item in report.changed_items:
                self.stdout.write(f"  {item}")
