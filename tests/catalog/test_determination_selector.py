"""The determination selector: catalog rows in, verdicts, required level and safeguards gap out."""

import datetime

import pytest

from riskapp.catalog.determination import Verdict
from riskapp.catalog.models import Benchmark, EvaluationResult, FrameworkVersion, Measure, ModelProfile
from riskapp.catalog.selectors import determine_for_profile, versions_with_thresholds

pytestmark = pytest.mark.django_db

CARD = "https://example.org/system-card.pdf"
RSP_2_2 = "anthropic-rsp-2.2"


@pytest.fixture
def profile() -> ModelProfile:
    return ModelProfile.objects.create(slug="test-model", name="Test model", developer="Example Lab",
                                       source_url=CARD)


def _result(profile, benchmark, score, version=None, day=1):
    return EvaluationResult.objects.create(
        profile=profile, benchmark=Benchmark.objects.get(slug=benchmark), score=score,
        evaluated_on=datetime.date(2025, 5, day), source_url=CARD,
        framework_version=FrameworkVersion.objects.get(slug=version) if version else None,
    )


def _rows(determination):
    return {row.threshold.code: row for row in determination.rows}


def test_no_results_baseline_level(profile):
    determination = determine_for_profile(profile, FrameworkVersion.objects.get(slug=RSP_2_2))
    assert determination.required_level.code == "ASL-2"
    assert {row.finding.verdict for row in determination.rows} == {Verdict.NOT_ASSESSED}
    assert [measure.code for measure, _ in determination.checklist] == [
        "asl2-security-standard", "asl2-deployment-standard",
    ]
    assert determination.missing_count == 2


def test_cbrn_3_in_grey_zone(profile):
    result = _result(profile, "bioweapons-acquisition-uplift-trial", 3.1)
    determination = determine_for_profile(profile, FrameworkVersion.objects.get(slug=RSP_2_2))
    row = _rows(determination)["CBRN-3"]
    assert row.finding.verdict is Verdict.INCONCLUSIVE
    assert row.readings == [(result, "inconclusive")]
    assert determination.required_level.code == "ASL-3"
    # The two ASL-2 standards plus the 13 measures of both ASL-3 standards.
    assert len(determination.checklist) == 15
    assert determination.missing_count == 15


def test_measures_in_place_close_gap(profile):
    _result(profile, "bioweapons-acquisition-uplift-trial", 5.0)
    profile.measures_in_place.set(Measure.objects.filter(version__slug=RSP_2_2, level__code__in=["ASL-2", "ASL-3"])
                                  .exclude(code="asl3-security-resourcing"))
    determination = determine_for_profile(profile, FrameworkVersion.objects.get(slug=RSP_2_2))
    assert _rows(determination)["CBRN-3"].finding.verdict is Verdict.RULED_IN
    missing = [measure.code for measure, in_place in determination.checklist if not in_place]
    assert missing == ["asl3-security-resourcing"]


def test_other_version_result_ignored(profile):
    excluded = _result(profile, "training-compute", 5e25, version=RSP_2_2)
    version = FrameworkVersion.objects.get(slug="eu-ai-act-gpai-2025")
    determination = determine_for_profile(profile, version)
    assert determination.excluded_results == [excluded]
    assert _rows(determination)["Systemic-risk presumption"].finding.verdict is Verdict.NOT_ASSESSED
    assert determination.required_level.code == "GPAI"


def test_compute_above_presumption(profile):
    _result(profile, "training-compute", 1e25, day=1)
    version = FrameworkVersion.objects.get(slug="eu-ai-act-gpai-2025")
    assert determine_for_profile(profile, version).required_level.code == "GPAI"
    _result(profile, "training-compute", 2e25, day=2)
    determination = determine_for_profile(profile, version)
    assert determination.required_level.code == "Systemic risk"
    # 10^25 rules out and 2 x 10^25 rules in: the results conflict, so the threshold cannot be ruled out.
    assert _rows(determination)["Systemic-risk presumption"].finding.conflicting


def test_versions_with_thresholds_listed():
    assert {version.slug for version in versions_with_thresholds()} == {
        RSP_2_2, "openai-preparedness-2", "google-deepmind-fsf-3.0", "eu-ai-act-gpai-2025",
    }
