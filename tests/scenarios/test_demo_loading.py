"""Loading the bundled demo scenarios again: missing ones are added, users' revisions are kept."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command

from riskapp.accounts.models import Organisation
from riskapp.scenarios import services
from riskapp.scenarios.format import dump_scenario, parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision

pytestmark = pytest.mark.django_db

SLUG = "weight-theft-by-operational-capacity"
BUNDLED = services.DEMO_FOLDER / f"{SLUG}.json"


def _bundled_document(**changes):
    data = json.loads(BUNDLED.read_text(encoding="utf-8"))
    data.update(changes)
    return parse_scenario(json.dumps(data, ensure_ascii=False), syntax="json")


def _bundled_text() -> str:
    return dump_scenario(services.parse_upload(BUNDLED.read_bytes(), BUNDLED.name), syntax="json")


def test_demo_loading_adds_missing_scenario():
    services.load_demo_scenarios()
    Scenario.objects.filter(slug=SLUG).delete()

    stored = services.load_demo_scenarios()

    assert [revision.scenario.slug for revision in stored] == [SLUG]
    assert stored[0].number == 1
    assert stored[0].origin == ScenarioRevision.Origin.DEMO
    assert stored[0].document == _bundled_text()


def test_demo_loading_keeps_editor_revision(caplog):
    services.load_demo_scenarios()
    scenario = Scenario.objects.get(slug=SLUG)
    edited = _bundled_document(title="Weight theft with pooled workshop values")
    services.add_revision(scenario, edited, origin=ScenarioRevision.Origin.EDITOR, comment="pooled values")

    with caplog.at_level(logging.INFO, logger="riskapp.scenarios.services"):
        stored = services.load_demo_scenarios()

    assert stored == []
    assert scenario.revisions.count() == 2
    latest = scenario.latest_revision
    assert latest.origin == ScenarioRevision.Origin.EDITOR
    assert latest.document == dump_scenario(edited, syntax="json")
    assert f"Kept demo scenario {SLUG} at revision 2: it has users' revisions" in caplog.text


@pytest.mark.parametrize("origin", [ScenarioRevision.Origin.IMPORT, ScenarioRevision.Origin.WORKSHOP,
                                    ScenarioRevision.Origin.RESTORE])
def test_demo_loading_keeps_other_user_origins(origin):
    services.load_demo_scenarios()
    scenario = Scenario.objects.get(slug=SLUG)
    services.add_revision(scenario, _bundled_document(title="Changed by a user"), origin=origin)

    assert services.load_demo_scenarios() == []
    assert scenario.latest_revision.number == 2
    assert scenario.latest_revision.origin == origin


def test_demo_loading_updates_demo_revision():
    older = _bundled_document(title="An older bundled version")
    scenario = Scenario.objects.create(slug=SLUG, title=older.title, is_demo=True)
    services.add_revision(scenario, older, origin=ScenarioRevision.Origin.DEMO)

    stored = [revision for revision in services.load_demo_scenarios() if revision.scenario_id == scenario.pk]

    assert len(stored) == 1
    assert stored[0].number == 2
    assert stored[0].origin == ScenarioRevision.Origin.DEMO
    assert stored[0].document == _bundled_text()


def test_demo_loading_skips_user_scenario_with_slug():
    organisation = Organisation.objects.create(name="Evaluations", slug="evaluations")
    own = _bundled_document(title="A user's own scenario")
    scenario = Scenario.objects.create(slug=SLUG, title=own.title, organisation=organisation)
    services.add_revision(scenario, own, origin=ScenarioRevision.Origin.IMPORT)

    stored = services.load_demo_scenarios()

    assert SLUG not in [revision.scenario.slug for revision in stored]
    assert scenario.revisions.count() == 1
    assert scenario.latest_revision.origin == ScenarioRevision.Origin.IMPORT


def test_demo_loading_skips_deleted_scenario():
    services.load_demo_scenarios()
    scenario = Scenario.objects.get(slug=SLUG)
    services.delete_scenario(scenario, user=None)
    older = _bundled_document(title="An older bundled version")
    ScenarioRevision.objects.filter(scenario=scenario).delete()
    services.add_revision(scenario, older, origin=ScenarioRevision.Origin.DEMO)

    assert services.load_demo_scenarios() == []
    assert scenario.revisions.count() == 1


def test_demo_command_reports_kept_scenario():
    call_command("load_demo_scenarios", stdout=StringIO())
    scenario = Scenario.objects.get(slug=SLUG)
    services.add_revision(scenario, _bundled_document(title="Pooled"), origin=ScenarioRevision.Origin.WORKSHOP)
    output = StringIO()

    call_command("load_demo_scenarios", stdout=output)

    assert f"Loaded {SLUG}" not in output.getvalue()
    assert "No demo scenario needed a new revision." in output.getvalue()
