from django.core.management.base import BaseCommand

from riskapp.scenarios.services import load_demo_scenarios


class Command(BaseCommand):
    help = "Import the demo scenarios shipped with riskapp; files already stored unchanged are skipped."

    def handle(self, *args, **options) -> None:
        stored = load_demo_scenarios()
        for revision in stored:
            self.stdout.write(f"Loaded {revision.scenario.slug} revision {revision.number}")
        if not stored:
            self.stdout.write("The demo scenarios are already up to date.")
