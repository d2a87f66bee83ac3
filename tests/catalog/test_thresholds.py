"""Capability thresholds: validation in framework files, loading, and the bundled versioned frameworks."""

import copy

import pytest
import yaml

from riskapp.catalog.framework_file import FrameworkFileError, parse_framework_document
from riskapp.catalog.models import CapabilityThreshold, Evidence, FrameworkVersion, Measure
from riskapp.catalog.services import DATA_DIR, load_framework_document

RSP_2_2 = "anthropic-rsp-2.2"


@pytest.fixture
def rsp_2_2_data() -> dict:
    return yaml.safe_load((DATA_DIR / "anthropic-rsp-2.2.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("edit", "path", "rule"), [
    (lambda d: d["thresholds"][0].update(required_level="ASL-9"), r"thresholds\[0\].required_level",
     "code of a level in this file"),
    (lambda d: d["thresholds"][1].update(required_measures=["no-such-measure"]),
     r"thresholds\[1\].required_measures\[0\]", "code of a measure in this file"),
    (lambda d: d["thresholds"][1].update(required_measures=["asl4-security-standard"] * 2),
     r"thresholds\[1\].required_measures", "twice"),
    (lambda d: d["thresholds"][0].pop("required_level"), r"thresholds\[0\].required_level",
     "gating threshold must name"),
    (lambda d: d["thresholds"][0].update(crosswalk_group="weather"), r"thresholds\[0\].crosswalk_group",
     "must be one of"),
    (lambda d: d["thresholds"][0].update(domain="space"), r"thresholds\[0\].domain", "must be one of"),
    (lambda d: d["thresholds"][1].update(code="CBRN 3"), r"thresholds\[1\].slug", "must be unique"),
    (lambda d: d["thresholds"][2].update(gating="yes"), r"thresholds\[2\].gating", "true or false"),
])
def test_threshold_file_errors(rsp_2_2_data, edit, path, rule):
    data = copy.deepcopy(rsp_2_2_data)
    edit(data)
    with pytest.raises(FrameworkFileError, match=path) as raised:
        parse_framework_document(data)
    assert rule in str(raised.value)


def test_monitored_threshold_needs_no_level(rsp_2_2_data):
    document = parse_framework_document(rsp_2_2_data)
    monitored = {threshold.code: threshold for threshold in document.thresholds if not threshold.gating}
    assert set(monitored) == {"AI R&D checkpoint", "Cyber operations"}
    assert monitored["Cyber operations"].required_level is None
    assert [threshold.order for threshold in document.thresholds] == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db
def test_rsp_2_2_thresholds_loaded():
    thresholds = {threshold.code: threshold for threshold in
                  CapabilityThreshold.objects.filter(version__slug=RSP_2_2).select_related("required_level")}
    assert list(thresholds) == ["CBRN-3", "CBRN-4", "AI R&D-4", "AI R&D-5", "AI R&D checkpoint", "Cyber operations"]
    assert thresholds["CBRN-3"].required_level.code == "ASL-3"
    assert thresholds["CBRN-4"].required_level.code == "ASL-4"
    assert thresholds["CBRN-4"].provisional
    assert thresholds["AI R&D-5"].required_level.code == "ASL-4"
    assert not thresholds["Cyber operations"].gating
    assert thresholds["AI R&D-4"].slug == "ai-rd-4"
    assert thresholds["AI R&D-4"].threshold_id == "anthropic-rsp-2.2:ai-rd-4"


@pytest.mark.django_db
def test_cbrn_3_requires_both_standards():
    threshold = CapabilityThreshold.objects.get(version__slug=RSP_2_2, code="CBRN-3")
    kinds = list(threshold.required_measures.values_list("kind", flat=True))
    assert kinds.count(Measure.Kind.DEPLOYMENT) == 7
    assert kinds.count(Measure.Kind.CONTAINMENT) == 6
    assert {measure.level.code for measure in threshold.required_measures.all()} == {"ASL-3"}


@pytest.mark.django_db
def test_ai_rnd_4_requires_security_only():
    threshold = CapabilityThreshold.objects.get(version__slug=RSP_2_2, code="AI R&D-4")
    kinds = set(threshold.required_measures.values_list("kind", flat=True))
    assert kinds == {Measure.Kind.CONTAINMENT, Measure.Kind.GOVERNANCE}
    assert threshold.required_measures.filter(code="affirmative-misalignment-case").exists()


@pytest.mark.django_db
def test_versioned_frameworks_loaded():
    counts = {version.slug: version.thresholds.count() for version in FrameworkVersion.objects.all()}
    assert counts == {
        "anthropic-rsp-1.0": 0,
        "rand-securing-model-weights-2024": 0,
        RSP_2_2: 6,
        "openai-preparedness-2": 11,
        "google-deepmind-fsf-3.0": 7,
        "eu-ai-act-gpai-2025": 1,
    }
    openai_gating = CapabilityThreshold.objects.filter(version__slug="openai-preparedness-2", gating=True)
    assert {threshold.required_level.code for threshold in openai_gating} == {"High", "Critical"}


@pytest.mark.django_db
def test_gdm_security_levels_per_ccl():
    levels = dict(CapabilityThreshold.objects.filter(version__slug="google-deepmind-fsf-3.0", gating=True)
                  .values_list("code", "required_level__code"))
    assert levels == {
        "CBRN uplift 1": "Security level 2",
        "Cyber uplift 1": "Security level 2",
        "Harmful manipulation 1": "Security level 2",
        "ML R&D acceleration 1": "Security level 3",
        "ML R&D automation 1": "Security level 4",
    }


@pytest.mark.django_db
def test_eu_items_marked_not_primary():
    version = FrameworkVersion.objects.get(slug="eu-ai-act-gpai-2025")
    evidence = {*version.measures.values_list("evidence", flat=True),
                *version.thresholds.values_list("evidence", flat=True),
                *version.levels.values_list("evidence", flat=True)}
    assert Evidence.PRIMARY not in evidence
    assert version.measures.get(code="art52-notification").evidence == Evidence.UNVERIFIED


@pytest.mark.django_db
def test_threshold_reload_changes_nothing(rsp_2_2_data):
    report = load_framework_document(parse_framework_document(rsp_2_2_data))
    assert not report.changed_anything


@pytest.mark.django_db
def test_threshold_edit_updates_measures(rsp_2_2_data):
    data = copy.deepcopy(rsp_2_2_data)
    data["thresholds"][1]["required_measures"] = ["asl4-security-standard"]
    del data["thresholds"][5]
    report = load_framework_document(parse_framework_document(data))
    assert report.updated == 1
    assert report.deleted == 1
    threshold = CapabilityThreshold.objects.get(version__slug=RSP_2_2, code="CBRN-4")
    assert list(threshold.required_measures.values_list("code", flat=True)) == ["asl4-security-standard"]
    assert not CapabilityThreshold.objects.filter(version__slug=RSP_2_2, code="Cyber operations").exists()
