from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from riskapp.scenarios import services
from riskapp.scenarios.models import Scenario


class Command(BaseCommand):
    help = "Export a scenario revision as a JSON or YAML scenario file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Slug of the scenario.")
        parser.add_argument("--revision", type=int, help="Revision number (default: the latest).")
        parser.add_argument("--format", choices=["json", "yaml"], default="json", dest="syntax",
                            help="File syntax (default: json).")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        scenario = Scenario.objects.filter(slug=options["slug"]).first()
        if scenario is None:
            raise CommandError(f"slug: {options['slug']!r} is not the slug of a scenario")
        revisions = scenario.revisions.order_by("-number")
        revision = revisions.filter(number=options["revision"]).first() if options["revision"] else revisions.first()
        if revision is None:
            raise CommandError(f"--revision: {options['revision']!r} does not exist for {scenario.slug}")
        _filename, text = services.export_revision(revision, syntax=options["syntax"])
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
