"""The manage.py commands: assess, import_scenario, export_scenario, load_demo_scenarios."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from riskapp.scenarios.models import Scenario

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"


def _assess(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "assess", *arguments], cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)


def test_assess_json_has_every_engine():
    completed = _assess(str(EXAMPLE), "--engine", "all", "--format", "json", "--samples", "2000", "--seed", "11")
    assert completed.returncode == 0, completed.stderr

    report = json.loads(completed.stdout)
    assert set(report["results"]) == {"risk_matrix", "game", "ara"}
    assert report["scenario"]["title"]
    assert len(report["scenario"]["digest"]) == 64
    ara = report["results"]["ara"]
    assert ara["seed"] == 11
    assert ara["options"]["samples"] == 2000
    common = {"engine", "engine_version", "seed", "options", "status", "message", "warnings", "point_values",
              "recommended_defense", "defense_ranking", "indistinguishable", "defenses"}
    for result in report["results"].values():
        assert common <= set(result)
        assert result["status"] in ("ok", "not_converged", "failed")
        assert result["recommended_defense"] == result["defense_ranking"][0]


def test_assess_same_seed_same_numbers():
    first = _assess(str(EXAMPLE), "--engine", "ara", "--format", "json", "--samples", "1000", "--seed", "3")
    second = _assess(str(EXAMPLE), "--engine", "ara", "--format", "json", "--samples", "1000", "--seed", "3")
    assert first.stdout == second.stdout


def test_assess_text_prints_generated_seed():
    completed = _assess(str(EXAMPLE), "--engine", "ara", "--samples", "500")
    assert completed.returncode == 0, completed.stderr
    assert "[ara] status" in completed.stdout
    assert ", seed " in completed.stdout


def test_assess_invalid_file_exit_two(tmp_path):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["outcomes"][0]["defender_loss"] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))

    completed = _assess(str(bad), "--format", "json")

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "outcomes[0].defender_loss" in completed.stderr
    assert "-1" in completed.stderr


def test_assess_missing_file_exit_two(tmp_path):
    completed = _assess(str(tmp_path / "absent.json"))
    assert completed.returncode == 2
    assert "cannot be read" in completed.stderr


@pytest.mark.parametrize(("option", "message"), [
    (["--samples", "99"], "Invalid option --samples: 99 must be an integer from 100"),
    (["--seed", "-1"], "Invalid option --seed: -1 must be an integer from 0 to 2^53 - 1"),
])
def test_assess_invalid_option_exit_two(option, message):
    completed = _assess(str(EXAMPLE), *option)
    assert completed.returncode == 2
    assert message in completed.stderr


@pytest.mark.django_db
def test_import_then_export_command(tmp_path):
    call_command("import_scenario", str(EXAMPLE), "--comment", "cli")
    scenario = Scenario.objects.get()
    output = tmp_path / "out.yaml"
    call_command("export_scenario", scenario.slug, "--format", "yaml", "--output", str(output))

    call_command("import_scenario", str(output), "--scenario", scenario.slug, "--force-latest")

    # Export then import gives back the same file, so no second revision is stored.
    assert scenario.revisions.count() == 1
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["title"] = "Changed title"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    call_command("import_scenario", str(changed), "--scenario", scenario.slug, "--force-latest")
    first, second = scenario.revisions.order_by("number")
    assert second.number == 2
    assert second.digest == first.digest
