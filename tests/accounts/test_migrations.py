"""The migration that gives every existing scenario to the demo organisation."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from riskapp.scenarios.models import Scenario

# Transactional, because migrations cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("scenarios", "0001_initial")]
AFTER = [("scenarios", "0002_scenario_organisation")]


def test_existing_scenarios_go_to_demo():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("scenarios", "Scenario").objects.create(slug="legacy", title="Legacy scenario")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    call_command("migrate", verbosity=0)

    scenario = Scenario.objects.select_related("organisation").get(slug="legacy")
    assert scenario.organisation.slug == "demo"
    assert scenario.organisation.is_demo
    assert scenario.deleted_at is None
