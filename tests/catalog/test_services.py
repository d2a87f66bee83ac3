"""Loading framework data files: idempotence, in-place upgrades and all-or-nothing writes."""

import copy

import pytest
import yaml
from django.forms.models import model_to_dict

from riskapp.catalog.framework_file import FrameworkFileError
from riskapp.catalog.models import (
    DangerousCapability,
    EvaluationResult,
    Framework,
    FrameworkVersion,
    Measure,
    SafetyLevel,
    Source,
)
from riskapp.catalog.services import DATA_DIR, load_framework_file

pytestmark = pytest.mark.django_db

RSP_FILE = DATA_DIR / "anthropic-rsp-1.0.yaml"
MODELS = (Framework, FrameworkVersion, Source, SafetyLevel, DangerousCapability, Measure)


def snapshot() -> dict:
    """Every catalog row as a dict, keyed by model and primary key."""
    return {(model.__name__, row.pk): model_to_dict(row) for model in MODELS for row in model.objects.all()}


@pytest.fixture
def rsp_data() -> dict:
    return yaml.safe_load(RSP_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data: dict, name: str = "framework.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_reload_bundled_file_changes_nothing():
    before = snapshot()
    version = FrameworkVersion.objects.get(slug="anthropic-rsp-1.0")
    rows_in_file = (
        2  # the framework and the version
        + version.sources.count()
        + version.levels.count()
        + DangerousCapability.objects.filter(level__version=version).count()
        + version.measures.count()
    )

    report = load_framework_file(RSP_FILE)

    assert not report.changed_anything
    assert report.unchanged == rows_in_file
    assert snapshot() == before


def test_load_twice_from_empty(tmp_path, rsp_data):
    EvaluationResult.objects.all().delete()  # results protect the version they were recorded against
    FrameworkVersion.objects.all().delete()
    Framework.objects.all().delete()
    path = write(tmp_path, rsp_data)

    first = load_framework_file(path)
    after_first = snapshot()
    second = load_framework_file(path)

    assert first.created == len(after_first)
    assert first.updated == 0
    assert not second.changed_anything
    assert second.unchanged == len(after_first)
    assert snapshot() == after_first


def test_updated_file_upgrades_in_place(tmp_path, rsp_data):
    measure = Measure.objects.get(version__slug="anthropic-rsp-1.0", code="asl3-deployment-tiered-access")
    removed = Measure.objects.get(version__slug="anthropic-rsp-1.0", code="asl3-deployment-incident-disclosure")
    data = copy.deepcopy(rsp_data)
    asl3 = data["levels"][2]
    for item in asl3["measures"]:
        if item["code"] == "asl3-deployment-tiered-access":
            item["name"] = "Tiered access for vetted researchers"
    asl3["measures"] = [item for item in asl3["measures"] if item["code"] != "asl3-deployment-incident-disclosure"]

    report = load_framework_file(write(tmp_path, data))

    measure.refresh_from_db()
    assert measure.name == "Tiered access for vetted researchers"
    assert not Measure.objects.filter(pk=removed.pk).exists()
    assert (report.created, report.updated, report.deleted) == (0, 1, 1)


def test_swapped_level_orders_load(tmp_path, rsp_data):
    data = copy.deepcopy(rsp_data)
    data["levels"][3]["order"], data["levels"][4]["order"] = 5, 4

    load_framework_file(write(tmp_path, data))

    orders = dict(SafetyLevel.objects.filter(version__slug="anthropic-rsp-1.0").values_list("code", "order"))
    assert orders["ASL-4"] == 5
    assert orders["ASL-5+"] == 4


def test_changed_supersedes_counted(tmp_path, rsp_data):
    data = copy.deepcopy(rsp_data)
    del data["levels"][2]["measures"][0]["supersedes"]

    report = load_framework_file(write(tmp_path, data))

    weight_security = Measure.objects.get(code="asl3-containment-weight-security")
    assert weight_security.supersedes is None
    assert (report.created, report.updated, report.deleted) == (0, 1, 0)


def test_invalid_kind_names_field(tmp_path, rsp_data):
    data = copy.deepcopy(rsp_data)
    data["levels"][2]["measures"][1]["kind"] = "prevention"

    with pytest.raises(FrameworkFileError, match=r"levels\[2\]\.measures\[1\]\.kind: 'prevention' is invalid"):
        load_framework_file(write(tmp_path, data))


def test_invalid_file_writes_nothing(tmp_path, rsp_data):
    FrameworkVersion.objects.filter(slug="anthropic-rsp-1.0").delete()
    before = snapshot()
    data = copy.deepcopy(rsp_data)
    data["levels"][4]["source_url"] = "not a url"

    with pytest.raises(FrameworkFileError, match=r"levels\[4\]\.source_url"):
        load_framework_file(write(tmp_path, data))
    assert snapshot() == before
    assert not FrameworkVersion.objects.filter(slug="anthropic-rsp-1.0").exists()


def test_failed_write_rolls_back(tmp_path, rsp_data, monkeypatch):
    before = snapshot()
    data = copy.deepcopy(rsp_data)
    data["levels"][0]["name"] = "Renamed before the failure"
    data["levels"][3]["measures"].append({
        "code": "asl4-deployment-new", "kind": "deployment", "name": "New", "description": "New measure.",
        "source_url": "https://www.anthropic.com/news/anthropics-responsible-scaling-policy",
    })

    def fail(**kwargs):
        raise RuntimeError("database went away")

    # Levels are written before measures, so the rename has happened when the failure comes.
    monkeypatch.setattr(Measure.objects, "create", fail)

    with pytest.raises(RuntimeError, match="database went away"):
        load_framework_file(write(tmp_path, data))
    assert snapshot() == before
