"""Draft Defend–Attack scenarios built from a determination and stored through the scenario services."""

import json

import pytest
from django.urls import reverse

from riskapp.catalog.models import FrameworkVersion, ModelProfile
from riskapp.catalog.scenario_draft import DraftScenarioError, build_draft_document, create_draft_scenario
from riskapp.catalog.selectors import determine_for_profile
from riskapp.scenarios.format import compile_problem, parse_scenario
from riskapp.scenarios.models import Scenario

pytestmark = pytest.mark.django_db


def _determination(version_slug="anthropic-rsp-2.2"):
    profile = ModelProfile.objects.get(slug="claude-opus-4")
    return determine_for_profile(profile, FrameworkVersion.objects.get(slug=version_slug))


def test_draft_defenses_and_attacks():
    document = build_draft_document(_determination())
    current, required = document["defenses"]
    assert len(current["measures"]) == 8
    assert len(required["measures"]) == 15
    assert set(current["measures"]) < set(required["measures"])
    assert required["name"] == "Required safeguards (ASL-3)"
    assert [attack["id"] for attack in document["attacks"]] == [
        "none", "cbrn-3-oc1", "cbrn-3-oc2", "cbrn-3-oc3", "cbrn-3-oc4", "cbrn-3-oc5",
    ]


def test_draft_probabilities_by_tier():
    probabilities = build_draft_document(_determination())["probabilities"]
    assert probabilities["current"]["cbrn-3-oc3"] == {"contained": 0.7, "harm": 0.3}
    assert probabilities["required"]["cbrn-3-oc3"] == {"contained": 0.85, "harm": 0.15}
    assert probabilities["required"]["none"] == {"contained": 1, "harm": 0}
    for rows in probabilities.values():
        for row in rows.values():
            assert sum(row.values()) == pytest.approx(1, abs=1e-12)


def test_draft_passes_scenario_format():
    document = parse_scenario(json.dumps(build_draft_document(_determination())).encode(), syntax="json")
    problem = compile_problem(document)
    assert problem.defense_ids == ("current", "required")
    assert list(problem.defense_costs) == [0, 10]
    assert len(problem.attack_ids) == 6


def test_draft_stored_as_scenario():
    revision = create_draft_scenario(_determination())
    assert revision.number == 1
    assert revision.scenario.title == "Draft: Claude Opus 4 under Responsible Scaling Policy 2.2"
    assert "placeholders" in json.loads(revision.document)["description"]


def test_nothing_crossed_rejected():
    with pytest.raises(DraftScenarioError, match="openai-preparedness-2 is ruled in or inconclusive"):
        build_draft_document(_determination("openai-preparedness-2"))


def test_draft_button_creates_scenario(client):
    page = client.get(reverse("catalog:profile", args=["claude-opus-4"])).content.decode()
    url = reverse("catalog:draft_scenario", args=["claude-opus-4", "anthropic-rsp-2.2"])
    assert f'action="{url}"' in page
    assert reverse("catalog:draft_scenario", args=["claude-opus-4", "openai-preparedness-2"]) not in page
    response = client.post(url)
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == scenario.get_absolute_url()
