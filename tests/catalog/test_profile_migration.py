"""The migration that gives every existing model profile to the demo organisation."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from riskapp.catalog.models import ModelProfile

# Transactional, because migrations cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("catalog", "0008_load_claude_opus_4_profile")]
AFTER = [("catalog", "0009_profile_organisation")]


def test_existing_profiles_go_to_demo():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("catalog", "ModelProfile").objects.create(
        slug="legacy-model", name="Legacy model", developer="Example Lab", source_url="https://example.org/card")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    call_command("migrate", verbosity=0)

    profile = ModelProfile.objects.select_related("organisation").get(slug="legacy-model")
    assert profile.organisation.slug == "demo"
    assert profile.organisation.is_demo
