from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from riskapp.scenarios import services
from riskapp.scenarios.format import ScenarioFormatError
from riskapp.scenarios.models import Scenario


class Command(BaseCommand):
    help = "Import a scenario file as a new scenario, or as a new revision of an existing one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A scenario file (.json, .yaml or .yml).")
        parser.add_argument("--scenario", help="Slug of an existing scenario to add a revision to.")
        parser.add_argument("--comment", default="", help="Comment stored with the revision.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"file: {str(path)!r} cannot be read ({error.strerror})") from error
        scenario = None
        if options["scenario"]:
            scenario = Scenario.objects.filter(slug=options["scenario"]).first()
            if scenario is None:
                raise CommandError(f"--scenario: {options['scenario']!r} is not the slug of a scenario")
        try:
            document = services.parse_upload(content, path.name)
        except ScenarioFormatError as error:
            raise CommandError(f"Invalid scenario: {error}", returncode=2) from error
        unchanged = services.identical_latest_revision(scenario, document) if scenario else None
        if unchanged is not None:
            self.stdout.write(f"The file is identical to {scenario.slug} revision {unchanged.number}; "
                              "no new revision was stored.")
            return
        revision = services.import_scenario(document, scenario=scenario, comment=options["comment"])
        self.stdout.write(f"Imported {revision.scenario.slug} revision {revision.number} (digest {revision.digest})")
