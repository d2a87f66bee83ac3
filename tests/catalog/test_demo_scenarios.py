"""The demo scenario files: valid, rich enough to compare the engines, and tied to the catalog."""

from decimal import Decimal
from pathlib import Path

import pytest

from riskapp.catalog.selectors import level_coverage, resolve_measure_ids
from riskapp.scenarios.format import compile_problem, parse_scenario

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "riskapp" / "scenarios" / "demo"
DEMO_FILES = sorted(DEMO_FOLDER.glob("*.json"))

# Outcomes that mean the attack succeeded, by file; stronger defenses must make them less likely.
WORST_OUTCOME = {
    "weight-theft-by-operational-capacity.json": "stolen",
    "bio-misuse-of-deployed-model.json": "uplift",
    "autonomous-replication-internal-agent.json": "replicating",
}

# Files whose attacks (after "no attack") are listed from the least to the most capable attacker.
CAPACITY_ORDERED = ("weight-theft-by-operational-capacity.json", "bio-misuse-of-deployed-model.json")


def parse(path: Path):
    return parse_scenario(path.read_bytes(), syntax="json")


def test_demo_folder_has_scenarios():
    assert len(DEMO_FILES) >= 3
    assert set(WORST_OUTCOME) <= {path.name for path in DEMO_FILES}


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_demo_file_parses(path):
    document = parse(path)
    problem = compile_problem(document)
    assert len(problem.defense_ids) >= 3
    assert len(problem.attack_ids) >= 3
    assert len(problem.outcome_ids) >= 3


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_demo_file_structure(path):
    data = parse(path).data
    attacks = {attack["id"]: attack for attack in data["attacks"]}

    assert len(data["defenses"]) >= 3
    assert len(data["attacks"]) >= 3
    assert len(data["outcomes"]) >= 3
    assert attacks["none"]["name"] == "No attack"
    assert all("cost" in defense for defense in data["defenses"])
    for attack_id, attack in attacks.items():
        if attack_id != "none":
            assert 0 < attack["attempt_probability"] <= 1, attack_id


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_demo_attacker_distributions(path):
    data = parse(path).data
    attacker_numbers = [
        *(attack.get("cost") for attack in data["attacks"]),
        *(outcome.get("attacker_gain") for outcome in data["outcomes"]),
        data["attacker"]["risk_aversion"],
    ]
    assert any(isinstance(number, dict) for number in attacker_numbers)
    assert isinstance(data["attacker"]["risk_aversion"], dict)
    assert data["attacker"]["belief_concentration"] > 0


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_demo_sources_and_caveat(path):
    document = parse(path)
    assert len(document.sources) >= 2
    assert all(source.startswith("https://") for source in document.sources)
    assert "illustrative judgement" in document.description
    assert "not a published estimate" in document.description


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_demo_risk_matrix_ratings(path):
    data = parse(path).data
    ratings = data["risk_matrix"]["ratings"]
    defense_ids = {defense["id"] for defense in data["defenses"]}
    attack_ids = {attack["id"] for attack in data["attacks"]}
    assert ratings
    assert set(ratings) <= defense_ids
    for by_attack in ratings.values():
        assert set(by_attack) <= attack_ids - {"none"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda path: path.stem)
def test_demo_measures_in_catalog(path):
    data = parse(path).data
    measure_ids = [measure_id for defense in data["defenses"] for measure_id in defense.get("measures", [])]
    resolution = resolve_measure_ids(measure_ids)
    assert measure_ids
    assert resolution.unknown == []
    assert all(defense.get("measures") for defense in data["defenses"])


@pytest.mark.parametrize("name", sorted(WORST_OUTCOME))
def test_stronger_defense_lowers_success(name):
    # Defenses are listed from weakest to strongest, so the attack's success probability must
    # not rise along the list, for every attack.
    data = parse(DEMO_FOLDER / name).data
    worst = WORST_OUTCOME[name]
    defense_ids = [defense["id"] for defense in data["defenses"]]
    for attack in data["attacks"]:
        chances = [Decimal(data["probabilities"][defense_id][attack["id"]][worst]) for defense_id in defense_ids]
        assert chances == sorted(chances, reverse=True), attack["id"]
        if attack["id"] != "none":
            assert chances[0] > chances[-1], attack["id"]


@pytest.mark.parametrize("name", CAPACITY_ORDERED)
def test_higher_capacity_succeeds_more(name):
    data = parse(DEMO_FOLDER / name).data
    worst = WORST_OUTCOME[name]
    attack_ids = [attack["id"] for attack in data["attacks"] if attack["id"] != "none"]
    for defense_id, rows in data["probabilities"].items():
        chances = [Decimal(rows[attack_id][worst]) for attack_id in attack_ids]
        assert chances == sorted(chances), defense_id


@pytest.mark.django_db
def test_weight_theft_defenses_meet_rising_levels():
    document = parse(DEMO_FOLDER / "weight-theft-by-operational-capacity.json")
    met = {}
    for defense in document.data["defenses"]:
        [coverage], unknown = level_coverage(defense["measures"])
        assert unknown == []
        met[defense["id"]] = coverage.met.code
    # The ASL-4-like option has ASL-4 weight security but not ASL-4's evaluations robust to
    # interference, so its containment measures meet ASL-3 in full.
    assert met == {"asl2-security": "ASL-2", "asl3-security": "ASL-3", "sl4-security": "ASL-3"}
