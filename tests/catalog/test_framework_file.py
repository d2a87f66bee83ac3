"""Validation of framework data files: each error names the field path, the value and the rule."""

import copy
import json

import pytest
import yaml

from riskapp.catalog.framework_file import FrameworkFileError, level_slug, parse_framework_document, read_framework_file
from riskapp.catalog.services import DATA_DIR


@pytest.fixture
def rsp_data() -> dict:
    return yaml.safe_load((DATA_DIR / "anthropic-rsp-1.0.yaml").read_text(encoding="utf-8"))


def test_bundled_files_parse():
    rsp = read_framework_file(DATA_DIR / "anthropic-rsp-1.0.yaml")
    rand = read_framework_file(DATA_DIR / "rand-securing-model-weights-2024.yaml")
    assert [level.slug for level in rsp.levels] == ["asl-1", "asl-2", "asl-3", "asl-4", "asl-5-plus"]
    assert rand.effective_date is None
    assert len(rand.threat_actor_tiers) == 5


def test_level_slug_keeps_plus():
    assert level_slug("ASL-5+") == "asl-5-plus"
    assert level_slug("SL3") == "sl3"


@pytest.mark.parametrize(("edit", "path", "rule"), [
    (lambda d: d.update(format="riskapp-framework/2"), "format", "must be 'riskapp-framework/1'"),
    (lambda d: d["version"].pop("status"), "version.status", None),
    (lambda d: d["version"].update(status="retired"), "version.status", "must be one of current, superseded"),
    (lambda d: d["version"].update(effective_date="19/09/2023"), "version.effective_date", "YYYY-MM-DD"),
    (lambda d: d["framework"].update(colour="red"), "framework.colour", "not a known field"),
    (lambda d: d.update(levels=[]), "levels", "at least 1 item"),
    (lambda d: d["levels"][1].update(order=0), r"levels\[1\].order", "at least 1"),
    (lambda d: d["levels"][1].update(order=True), r"levels\[1\].order", "at least 1"),
    (lambda d: d["levels"][2].update(order=2), r"levels\[2\].order", "must be unique"),
    (lambda d: d["levels"][1].update(summary="   "), r"levels\[1\].summary", "must not be empty"),
    (lambda d: d["levels"][1].update(provisional="yes"), r"levels\[1\].provisional", "true or false"),
    (lambda d: d["levels"][2]["capabilities"][0].update(domain="bio"),
     r"levels\[2\].capabilities\[0\].domain", "must be one of"),
    (lambda d: d["levels"][2]["measures"][0].update(code="ASL3 Weights"),
     r"levels\[2\].measures\[0\].code", "lowercase letters"),
    (lambda d: d["levels"][2]["measures"][0].update(code="asl2-deployment-model-cards"),
     r"levels\[2\].measures\[0\].code", "unique within the framework version"),
    (lambda d: d["levels"][2]["measures"][0].update(supersedes="asl3-deployment-tiered-access"),
     r"levels\[2\].measures\[0\].supersedes", "lower level"),
    (lambda d: d["levels"][2]["measures"][0].update(supersedes="nothing-like-this"),
     r"levels\[2\].measures\[0\].supersedes", "code of a measure in this file"),
    (lambda d: d["sources"][0].update(url="ftp://example.org/rsp"), r"sources\[0\].url", "http or https URL"),
])
def test_invalid_field_rejected(rsp_data, edit, path, rule):
    data = copy.deepcopy(rsp_data)
    edit(data)
    expected = rf"^{path} is missing: the field is required$" if rule is None else rf"^{path}: .* is invalid: .*{rule}"
    with pytest.raises(FrameworkFileError, match=expected):
        parse_framework_document(data)


def test_unknown_countered_by_rejected():
    data = yaml.safe_load((DATA_DIR / "rand-securing-model-weights-2024.yaml").read_text(encoding="utf-8"))
    data["threat_actor_tiers"][2]["countered_by"] = "SL9"
    with pytest.raises(FrameworkFileError, match=r"threat_actor_tiers\[2\]\.countered_by: 'SL9'"):
        parse_framework_document(data)


def test_invalid_yaml_names_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: [unclosed\n", encoding="utf-8")
    with pytest.raises(FrameworkFileError, match="broken.yaml.*not valid YAML"):
        read_framework_file(path)


def test_json_file_accepted(tmp_path, rsp_data):
    rsp_data["version"]["effective_date"] = "2023-09-19"
    path = tmp_path / "rsp.json"
    path.write_text(json.dumps(rsp_data), encoding="utf-8")
    assert read_framework_file(path).effective_date.isoformat() == "2023-09-19"
