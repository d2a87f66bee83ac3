"""Storing scenarios: import, revisions, export and the demo scenarios."""

import json
from pathlib import Path

import pytest

from riskapp.scenarios import services
from riskapp.scenarios.format import ScenarioFormatError, parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parent / "data" / "weight_theft.json"


def _document(**changes):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return parse_scenario(json.dumps(data, ensure_ascii=False), syntax="json")


def test_import_creates_scenario_and_revision():
    revision = services.import_scenario(_document(title="Vol de poids — état"), comment="first")
    assert revision.number == 1
    assert revision.scenario.title == "Vol de poids — état"
    assert revision.scenario.slug == "vol-de-poids-etat"
    assert revision.comment == "first"
    assert revision.digest == _document().digest


def test_second_import_gets_unique_slug():
    first = services.import_scenario(_document())
    second = services.import_scenario(_document())
    assert first.scenario.slug != second.scenario.slug
    assert second.scenario.slug.startswith(first.scenario.slug)


def test_new_revision_numbers_increase():
    revision = services.import_scenario(_document())
    second = services.import_scenario(_document(title="Renamed"), scenario=revision.scenario)
    assert second.number == 2
    assert Scenario.objects.get(pk=revision.scenario.pk).title == "Renamed"


def test_revision_is_immutable():
    revision = services.import_scenario(_document())
    revision.comment = "changed"
    with pytest.raises(ValueError, match="immutable"):
        revision.save()


@pytest.mark.parametrize("syntax", ["json", "yaml"])
def test_export_then_import_equal(syntax):
    revision = services.import_scenario(_document(title="Krádež váh 模型权重 🔐"))
    filename, text = services.export_revision(revision, syntax=syntax)
    assert filename == f"{revision.scenario.slug}-r1.{syntax}"

    again = services.parse_upload(text.encode("utf-8"), filename)
    assert again.data == parse_scenario(revision.document, syntax="json").data
    assert again.digest == revision.digest
    assert again.title == "Krádež váh 模型权重 🔐"


def test_unknown_catalog_measure_rejected():
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["defenses"][0]["measures"] = ["no-such-framework:no-such-measure"]
    with pytest.raises(ScenarioFormatError, match=r"defenses\[0\]\.measures\[0\]") as raised:
        services.parse_upload(json.dumps(data).encode(), "bad.json")
    assert "no-such-framework:no-such-measure" in str(raised.value)
    assert not ScenarioRevision.objects.exists()


def test_demo_scenarios_load_once():
    first = services.load_demo_scenarios()
    assert len(first) >= 2
    assert all(revision.scenario.is_demo for revision in first)
    assert services.load_demo_scenarios() == []
    assert ScenarioRevision.objects.count() == len(first)


def test_long_title_slug_ends_at_word():
    title = "Theft of frontier model weights by attackers of rising operational capacity and more words"
    revision = services.import_scenario(_document(title=title))
    slug = revision.scenario.slug
    assert len(slug) <= 70
    assert title.lower().replace(" ", "-").startswith(slug)
    assert slug == "theft-of-frontier-model-weights-by-attackers-of-rising-operational"


def test_identical_file_detected():
    revision = services.import_scenario(_document())
    assert services.identical_latest_revision(revision.scenario, _document()) == revision
    assert services.identical_latest_revision(revision.scenario, _document(title="Other")) is None
