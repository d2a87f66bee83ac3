"""Saving on a base revision, restoring an old revision and copying a scenario."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from riskapp.accounts.models import Organisation
from riskapp.scenarios import services
from riskapp.scenarios.format import ScenarioFormatError, parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_services import (
    StaleRevisionError,
    UnchangedRevisionError,
    UnknownRevisionError,
    copy_scenario,
    restore_revision,
    save_revision,
)

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "weight_theft.json").read_text())


def document(**defense_costs):
    """The example with the given defense costs, written as text so that the digits stay as given."""
    data = copy.deepcopy(EXAMPLE)
    for defense in data["defenses"]:
        if defense["id"] in defense_costs:
            defense["cost"] = "COST-" + defense["id"]
    text = json.dumps(data)
    for identifier, cost in defense_costs.items():
        text = text.replace(f'"COST-{identifier}"', cost)
    return parse_scenario(text, syntax="json")


@pytest.fixture
def first():
    return services.import_scenario(document())


def test_save_on_latest_stores_next(first):
    revision = save_revision(first.scenario, document(asl3="5.0"), base_revision=1,
                             origin=ScenarioRevision.Origin.EDITOR, comment="cheaper than thought")

    assert revision.number == 2
    assert revision.origin == "editor"
    assert revision.comment == "cheaper than thought"
    assert revision.scenario == first.scenario
    assert json.loads(revision.document)["defenses"][1]["cost"] == 5.0


def test_save_stale_base_rejected(first):
    save_revision(first.scenario, document(asl3="4.5"), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)

    with pytest.raises(StaleRevisionError, match="based on revision 1, but revision 2 has been saved") as caught:
        save_revision(first.scenario, document(asl2="2"), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)

    assert first.scenario.revisions.count() == 2
    error = caught.value
    assert error.base.number == 1
    assert error.latest.number == 2
    # The diff shows what the other save changed, not what the rejected save wanted.
    changes = {change.dotted_path: (change.old, change.new) for change in error.changes.numbers}
    assert changes == {"defenses.asl3.cost": (Decimal("4.0"), Decimal("4.5"))}


def test_save_unknown_base_rejected(first):
    with pytest.raises(UnknownRevisionError, match=r"base_revision: 7 is not a revision .* 1 to 1"):
        save_revision(first.scenario, document(asl3="5"), base_revision=7, origin=ScenarioRevision.Origin.EDITOR)
    assert first.scenario.revisions.count() == 1


def test_save_identical_document_rejected(first):
    with pytest.raises(UnchangedRevisionError, match="identical to revision 1"):
        save_revision(first.scenario, document(), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)
    assert first.scenario.revisions.count() == 1


def test_restore_old_revision_new_number(first):
    save_revision(first.scenario, document(asl3="6"), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)

    restored = restore_revision(first, base_revision=2)

    assert restored.number == 3
    assert restored.origin == ScenarioRevision.Origin.RESTORE
    assert restored.comment == "Restored from revision 1"
    assert restored.document == first.document
    assert restored.digest == first.digest
    # Revision 2 is immutable and still there.
    assert first.scenario.revisions.get(number=2).digest != first.digest


def test_restore_restores_title(first):
    retitled = copy.deepcopy(EXAMPLE)
    retitled["title"] = "Renamed scenario"
    save_revision(first.scenario, parse_scenario(json.dumps(retitled), syntax="json"), base_revision=1,
                  origin=ScenarioRevision.Origin.EDITOR)

    restore_revision(first, base_revision=2)

    first.scenario.refresh_from_db()
    assert first.scenario.title == EXAMPLE["title"]


def test_restore_stale_base_rejected(first):
    save_revision(first.scenario, document(asl3="6"), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)
    save_revision(first.scenario, document(asl3="7"), base_revision=2, origin=ScenarioRevision.Origin.EDITOR)

    with pytest.raises(StaleRevisionError) as caught:
        restore_revision(first, base_revision=2)

    assert first.scenario.revisions.count() == 3
    changes = {change.dotted_path: (change.old, change.new) for change in caught.value.changes.numbers}
    assert changes == {"defenses.asl3.cost": (Decimal(6), Decimal(7))}


def test_restore_latest_content_rejected(first):
    with pytest.raises(UnchangedRevisionError):
        restore_revision(first, base_revision=1)
    assert first.scenario.revisions.count() == 1


def test_copy_starts_new_scenario(first):
    save_revision(first.scenario, document(asl3="6"), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)
    source = first.scenario.revisions.get(number=2)

    copied = copy_scenario(source, title="Weight theft, cheaper ASL-3")

    assert copied.number == 1
    assert copied.scenario != first.scenario
    assert copied.scenario.slug == "weight-theft-cheaper-asl-3"
    assert copied.scenario.title == "Weight theft, cheaper ASL-3"
    assert copied.origin == ScenarioRevision.Origin.COPY
    assert copied.comment == f"Copied from “{EXAMPLE['title']}” ({first.scenario.slug}) revision 2"
    # The title is descriptive, so the problem and its digest are the source's.
    assert copied.digest == source.digest
    assert json.loads(copied.document)["defenses"][1]["cost"] == 6
    assert first.scenario.revisions.count() == 2


def test_copy_same_title_new_slug(first):
    copied = copy_scenario(first)

    assert copied.scenario.title == first.scenario.title
    assert copied.scenario.slug == f"{first.scenario.slug}-2"
    assert copied.document == first.document
    assert Scenario.objects.count() == 2


def test_copy_empty_title_rejected(first):
    with pytest.raises(ScenarioFormatError, match="title"):
        copy_scenario(first, title="   ")
    assert Scenario.objects.count() == 1


def test_copy_keeps_source_organisation():
    team = Organisation.objects.create(name="Frontier safety team", slug="frontier-safety")
    source = services.import_scenario(document(), organisation=team)

    copied = copy_scenario(source)

    assert copied.scenario.organisation == team
    assert not copied.scenario.organisation.is_demo
