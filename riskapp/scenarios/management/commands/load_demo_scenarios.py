from django.core.management.base import BaseCommand

from riskapp.scenarios.services import load_demo_scenarios


class Command(BaseCommand):
    help = ("Import the demo scenarios shipped with riskapp. A missing one is added, and a changed file is "
            "stored as a new revision only while the scenario's latest revision is a demo revision, so "
            "revisions that users saved are never superseded.")

    def handle(self, *args, **options) -> None:
        stored = load_demo_scenarios()
        for revision in stored:
            self.stdout.write(f"Loaded {revision.scenario.slug} revision {revision.number}")
        if not stored:
            self.stdout.write("No demo scenario needed a new revision.")
