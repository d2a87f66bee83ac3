from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from riskapp.catalog.evaluation_file import EvaluationFileError
from riskapp.catalog.services import import_evaluation_file


class Command(BaseCommand):
    help = _("Import evaluation results from a CSV or JSON file; nothing is stored if any row is invalid.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("Path of the CSV (.csv) or JSON (.json) file of results."))

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except FileNotFoundError as error:
            raise CommandError(_("File not found: %(file)s") % {"file": path}) from error
        try:
            results = import_evaluation_file(content, path.name)
        except EvaluationFileError as error:
            lines = [_("Nothing was imported from %(file)s because of %(count)d error(s):")
                     % {"file": path, "count": len(error.errors)}]
            lines += [f"  {problem}" for problem in error.errors]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(_("Imported %(count)d evaluation result(s) from %(file)s.")
                          % {"count": len(results), "file": path})
