"""The shipped Claude Opus 4 profile reproduces Anthropic's May 2025 call: CBRN-3 cannot be ruled out."""

import copy

import pytest
import yaml
from django.urls import reverse

from riskapp.catalog.determination import Verdict, Zone
from riskapp.catalog.framework_file import FrameworkFileError
from riskapp.catalog.models import EvaluationResult, FrameworkVersion, ModelProfile
from riskapp.catalog.profile_file import parse_profile_document
from riskapp.catalog.selectors import determine_for_profile
from riskapp.catalog.services import DATA_DIR, load_model_profile_file

pytestmark = pytest.mark.django_db

PROFILE_FILE = DATA_DIR / "model-profiles" / "claude-opus-4.yaml"
CARD = "https://www-cdn.anthropic.com/6be99a52cb68eb70eb9572b4cafad13df32ed995.pdf"


@pytest.fixture
def opus_4() -> ModelProfile:
    return ModelProfile.objects.get(slug="claude-opus-4")


def _determine(profile, version_slug):
    determination = determine_for_profile(profile, FrameworkVersion.objects.get(slug=version_slug))
    return determination, {row.threshold.code: row for row in determination.rows}


def test_profile_facts_and_sources(opus_4):
    assert opus_4.developer == "Anthropic"
    assert opus_4.release_date.isoformat() == "2025-05-22"
    assert opus_4.source_url == CARD
    assert set(opus_4.sources.values_list("url", flat=True)) == {
        CARD, "https://www.anthropic.com/news/activating-asl3-protections",
    }
    assert opus_4.results.count() == 9
    assert set(opus_4.results.values_list("source_url", flat=True)) == {CARD}
    assert opus_4.results.get(benchmark__slug="bioweapons-acquisition-uplift-trial").score == 2.53


def test_cbrn_3_cannot_be_ruled_out(opus_4):
    determination, rows = _determine(opus_4, "anthropic-rsp-2.2")
    cbrn_3 = rows["CBRN-3"]
    assert cbrn_3.finding.verdict is Verdict.INCONCLUSIVE
    assert cbrn_3.finding.conflicting
    zones = {result.benchmark.slug: zone for result, zone in cbrn_3.readings}
    assert zones == {
        "bioweapons-acquisition-uplift-trial": Zone.RULE_OUT,  # 2.53 <= 2.8
        "long-form-virology-task-1": Zone.RULE_IN,  # 0.83 > 0.8
        "long-form-virology-task-2": Zone.INCONCLUSIVE,  # 0.5 <= 0.72 <= 0.8
        "lab-bench-subtasks-at-human-level": Zone.RULE_OUT,  # 3 of 4
        "bioweapons-knowledge-questions": Zone.RULE_OUT,  # 17 < 27
    }
    assert set(cbrn_3.finding.missing_benchmarks) == {"wmdp-bio", "virology-capabilities-test"}
    assert determination.required_level.code == "ASL-3"


def test_other_rsp_thresholds(opus_4):
    determination, rows = _determine(opus_4, "anthropic-rsp-2.2")
    assert rows["AI R&D-4"].finding.verdict is Verdict.RULED_OUT  # suite 2 at 0.355 < 0.6
    assert rows["CBRN-4"].finding.verdict is Verdict.NOT_ASSESSED
    assert rows["AI R&D-5"].finding.verdict is Verdict.NOT_ASSESSED
    # SWE-bench hard rules the checkpoint out and the deduplication task rules it in.
    assert rows["AI R&D checkpoint"].finding.conflicting
    # Cybench informs the cyber area but decides nothing.
    assert rows["Cyber operations"].finding.verdict is Verdict.NOT_ASSESSED
    assert [threshold.code for threshold in determination.determination.unassessed_gating] == ["CBRN-4", "AI R&D-5"]


def test_asl_3_gap_checklist(opus_4):
    determination, _rows = _determine(opus_4, "anthropic-rsp-2.2")
    assert len(determination.checklist) == 15
    missing = [measure.code for measure, in_place in determination.checklist if not in_place]
    assert missing == [
        "asl3-deployment-threat-modelling",
        "asl3-deployment-red-teaming",
        "asl3-deployment-third-party-environments",
        "asl3-security-threat-modelling",
        "asl3-security-supply-chain",
        "asl3-security-resourcing",
        "asl3-security-audits",
    ]


def test_rsp_results_not_used_elsewhere(opus_4):
    determination, rows = _determine(opus_4, "openai-preparedness-2")
    assert len(determination.excluded_results) == 8
    assert determination.required_level.code == "Below High"
    assert rows["Cybersecurity High"].finding.verdict is Verdict.NOT_ASSESSED
    assert [result.benchmark.slug for result, _zone in rows["Cybersecurity High"].readings] == ["cybench"]


def test_profile_page_shows_asl_3(client):
    content = client.get(reverse("catalog:profile", args=["claude-opus-4"])).content.decode()
    section = content.split('id="determination-anthropic-rsp-2.2"')[1].split("</section>")[0]
    assert "<strong>ASL-3</strong>" in section
    assert "(conflicting results)" in section
    assert "7 required measures are not in place" in section
    assert "https://www.anthropic.com/news/activating-asl3-protections" in content


def test_profile_reload_idempotent(opus_4):
    before = list(EvaluationResult.objects.filter(profile=opus_4).order_by("pk").values_list("pk", "score"))
    load_model_profile_file(PROFILE_FILE)
    after = list(EvaluationResult.objects.filter(profile=opus_4).order_by("pk").values_list("pk", "score"))
    assert after == before


@pytest.mark.parametrize(("edit", "path", "rule"), [
    (lambda d: d["results"][0].update(unit="fraction"), r"results\[0\].unit", "must be 'ratio'"),
    (lambda d: d["results"][1].update(score=1.5), r"results\[1\].score", "valid range"),
    (lambda d: d["results"][0].update(benchmark="vct"), r"results\[0\].benchmark", "not the slug of a benchmark"),
    (lambda d: d["measures_in_place"].append("anthropic-rsp-2.2:asl9"), r"measures_in_place\[8\]",
     "measure id in the catalog"),
    (lambda d: d["results"][0].update(framework_version="rsp-9"), r"results\[0\].framework_version",
     "not the slug of a framework version"),
])
def test_profile_file_errors(tmp_path, edit, path, rule):
    data = yaml.safe_load(PROFILE_FILE.read_text(encoding="utf-8"))
    edited = copy.deepcopy(data)
    edit(edited)
    target = tmp_path / "profile.yaml"
    target.write_text(yaml.safe_dump(edited), encoding="utf-8")
    with pytest.raises(FrameworkFileError, match=path) as raised:
        load_model_profile_file(target)
    assert rule in str(raised.value)
    assert parse_profile_document(data).slug == "claude-opus-4"
