"""Hand-made scenario, engine results in the documented `assess` JSON shape, and stored runs."""

import json
from typing import Any

import pytest

from riskapp.assessments.models import Assessment, AssessmentRun
from riskapp.engines.result import AssessmentResult, DefenseAssessment, Notice, Score
from riskapp.reports.figures import MatrixLayout, Names
from riskapp.scenarios.models import Scenario, ScenarioRevision

DEFENSES = {"asl2": "ASL-2 security", "asl3": "ASL-3 security", "pause": "Pause deployment"}
ATTACKS = {"none": "No attack", "insider": "Recruit an insider", "phishing": "Phishing of staff"}
OUTCOMES = {"kept": "Weights kept", "stolen": "Weights stolen"}


def make_result(
    engine: str,
    defenses: dict[str, DefenseAssessment],
    *,
    recommended: str,
    ranking: list[str],
    indistinguishable: list[str] | None = None,
    sections: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Serialise a hand-made result exactly as the engines do."""
    result = AssessmentResult(
        engine=engine,
        engine_version="test",
        problem_digest="0" * 64,
        options={},
        status="ok",
        message=Notice(code="ok", template="Assessment complete."),
        recommended_defense=recommended,
        defense_ranking=ranking,
        indistinguishable=indistinguishable or [],
        defenses=defenses,
        sections=sections or {},
    )
    return result.to_dict()


@pytest.fixture
def names() -> Names:
    return Names(defenses=dict(DEFENSES), attacks=dict(ATTACKS), outcomes=dict(OUTCOMES))


@pytest.fixture
def scenario_document() -> dict[str, Any]:
    """A scenario file with a 3×3 risk matrix of its own instead of the default 5×5."""
    return {
        "format": "riskapp-scenario/1",
        "title": "Weight theft by a state-backed actor",
        "defenses": [
            {"id": d, "name": name, "cost": cost}
            for (d, name), cost in zip(DEFENSES.items(), (1.0, 4.0, 9.0), strict=True)
        ],
        "attacks": [{"id": a, "name": name, "cost": 0} for a, name in ATTACKS.items()],
        "outcomes": [
            {"id": "kept", "name": OUTCOMES["kept"], "defender_loss": 0, "attacker_gain": 0},
            {"id": "stolen", "name": OUTCOMES["stolen"], "defender_loss": 100, "attacker_gain": 50},
        ],
        "risk_matrix": {
            "likelihood": [
                {"label": "Rare", "upper": 0.05},
                {"label": "Possible", "upper": 0.5},
                {"label": "Likely", "upper": 1},
            ],
            "consequence": [
                {"label": "Minor", "upper": 10},
                {"label": "Major", "upper": 100},
                {"label": "Catastrophic", "upper": None},
            ],
            "levels": [
                {"label": "Low", "color": "#2e7d32"},
                {"label": "High", "color": "#ef6c00"},
                {"label": "Extreme", "color": "#c62828"},
            ],
            "grid": [[0, 0, 1], [0, 1, 2], [1, 2, 2]],
        },
    }


@pytest.fixture
def matrix(scenario_document: dict[str, Any]) -> MatrixLayout:
    return MatrixLayout.from_mapping(scenario_document["risk_matrix"])


@pytest.fixture
def game_result() -> dict[str, Any]:
    utilities = {"asl2": -31.0, "asl3": -7.5, "pause": -9.0}
    responses = {"asl2": "insider", "asl3": "none", "pause": "none"}
    return make_result(
        "game",
        {
            d: DefenseAssessment(
                score=Score(u, "defender utility"),
                expected_utility=u,
                attack_probabilities={a: float(a == responses[d]) for a in ATTACKS},
            )
            for d, u in utilities.items()
        },
        recommended="asl3",
        ranking=["asl3", "pause", "asl2"],
    )


@pytest.fixture
def ara_result() -> dict[str, Any]:
    utilities = {"asl2": -25.25, "asl3": -8.125, "pause": -9.0625}
    errors = {"asl2": 0.5, "asl3": 0.25, "pause": 0.0625}
    probabilities = {
        "asl2": {"none": 0.5, "insider": 0.375, "phishing": 0.125},
        "asl3": {"none": 0.875, "insider": 0.125, "phishing": 0.0},
        "pause": {"none": 1.0, "insider": 0.0, "phishing": 0.0},
    }
    samples = 4096
    convergence = {
        "draws": [1024, 2048, 4096],
        "defenses": {
            "asl2": {"estimate": [-26.0, -25.5, -25.25], "standard_error": [1.0, 0.75, 0.5]},
            "asl3": {"estimate": [-8.5, -8.25, -8.125], "standard_error": [0.5, 0.375, 0.25]},
            "pause": {"estimate": [-9.25, -9.125, -9.0625], "standard_error": [0.125, 0.09375, 0.0625]},
        },
    }
    return make_result(
        "ara",
        {
            d: DefenseAssessment(
                score=Score(u, "defender utility"),
                expected_utility=u,
                standard_error=errors[d],
                attack_probabilities=probabilities[d],
                attack_probability_errors={a: (p * (1 - p) / samples) ** 0.5 for a, p in probabilities[d].items()},
            )
            for d, u in utilities.items()
        },
        recommended="asl3",
        ranking=["asl3", "pause", "asl2"],
        indistinguishable=["pause"],
        sections={"convergence": convergence},
    )


@pytest.fixture
def risk_matrix_result() -> dict[str, Any]:
    ratings = {
        "asl2": {
            "insider": {
                "likelihood": "Possible",
                "consequence": "Catastrophic",
                "level": "Extreme",
                "origin": "direct",
            },
            "phishing": {"likelihood": "Likely", "consequence": "Major", "level": "Extreme", "origin": "derived"},
        },
        "asl3": {
            "insider": {"likelihood": "Rare", "consequence": "Catastrophic", "level": "High", "origin": "derived"},
            "phishing": {"likelihood": "Rare", "consequence": "Catastrophic", "level": "High", "origin": "derived"},
        },
        "pause": {},
    }
    levels = {"asl2": "Extreme", "asl3": "High", "pause": None}
    return make_result(
        "risk_matrix",
        {d: DefenseAssessment(score=Score(None, "worst risk level"), risk_level=level) for d, level in levels.items()},
        recommended="pause",
        ranking=["pause", "asl3", "asl2"],
        sections={"ratings": ratings, "coherence": []},
    )


@pytest.fixture
def assessment(scenario_document, game_result, ara_result, risk_matrix_result) -> Assessment:
    """An assessment of revision 3 whose three runs have all succeeded."""
    scenario = Scenario.objects.create(slug="weight-theft", title="Weight theft by a state-backed actor")
    revision = ScenarioRevision.objects.create(
        scenario=scenario,
        number=3,
        document=json.dumps(scenario_document),
        digest="0" * 64,
        origin=ScenarioRevision.Origin.IMPORT,
    )
    assessment = Assessment.objects.create(revision=revision)
    for result in (risk_matrix_result, game_result, ara_result):
        AssessmentRun.objects.create(
            assessment=assessment,
            revision=revision,
            engine=result["engine"],
            state=AssessmentRun.State.SUCCEEDED,
            chunks_planned=2,
            chunks_done=2,
            result=result,
        )
    return assessment
