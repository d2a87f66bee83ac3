"""The data migration loads Anthropic's RSP 1.0 and RAND's weight-security levels."""

import re

import pytest

from riskapp.catalog.models import (
    DangerousCapability,
    FrameworkVersion,
    Measure,
    RiskDomain,
    SafetyLevel,
    ThreatActorTier,
)

pytestmark = pytest.mark.django_db

RSP = "anthropic-rsp-1.0"


def test_rsp_levels_in_order():
    codes = list(SafetyLevel.objects.filter(version__slug=RSP).order_by("order").values_list("code", flat=True))
    assert codes == ["ASL-1", "ASL-2", "ASL-3", "ASL-4", "ASL-5+"]


def test_rsp_version_facts():
    version = FrameworkVersion.objects.get(slug=RSP)
    assert version.label == "1.0"
    assert version.effective_date.isoformat() == "2023-09-19"
    assert version.status == FrameworkVersion.Status.SUPERSEDED
    assert version.framework.publisher == "Anthropic"
    assert version.sources.count() >= 3


def test_rsp_measures_of_both_kinds():
    measures = Measure.objects.filter(version__slug=RSP)
    for level_code in ("ASL-2", "ASL-3", "ASL-4"):
        kinds = set(measures.filter(level__code=level_code).values_list("kind", flat=True))
        assert kinds == {"containment", "deployment"}, level_code
    assert not measures.filter(level__code__in=["ASL-1", "ASL-5+"]).exists()


def test_rsp_named_measures_present():
    codes = set(Measure.objects.filter(version__slug=RSP).values_list("code", flat=True))
    assert {
        "asl2-containment-opportunistic-security",
        "asl3-containment-weight-security",
        "asl3-deployment-automated-detection",
        "asl3-deployment-rapid-response",
        "asl3-deployment-tiered-access",
        "asl4-containment-state-level-security",
    } <= codes


def test_every_item_has_source_url():
    rows = [
        *FrameworkVersion.objects.all(),
        *SafetyLevel.objects.all(),
        *DangerousCapability.objects.all(),
        *Measure.objects.all(),
        *ThreatActorTier.objects.all(),
    ]
    assert len(rows) > 40
    for row in rows:
        assert row.source_url.startswith("https://"), row


def test_asl3_capability_domains():
    domains = set(DangerousCapability.objects.filter(level__version__slug=RSP, level__code="ASL-3")
                  .values_list("domain", flat=True))
    assert domains == {RiskDomain.CBRN, RiskDomain.CYBER, RiskDomain.AUTONOMOUS_REPLICATION}


def test_autonomy_abbreviation_written_out():
    # In riskapp, ARA means Adversarial Risk Analysis, so catalog text spells the RSP term out.
    texts = [
        *SafetyLevel.objects.values_list("summary", flat=True),
        *DangerousCapability.objects.values_list("description", flat=True),
        *Measure.objects.values_list("description", flat=True),
        *FrameworkVersion.objects.values_list("summary", flat=True),
    ]
    assert not [text for text in texts if re.search(r"\bARA\b", text)]
    assert any("autonomous replication and adaptation" in text for text in texts)


def test_provisional_levels_marked():
    provisional = set(SafetyLevel.objects.filter(version__slug=RSP, provisional=True).values_list("code", flat=True))
    assert provisional == {"ASL-4", "ASL-5+"}


def test_rand_tiers_marked_secondary():
    tiers = ThreatActorTier.objects.filter(version__slug="rand-securing-model-weights-2024").order_by("order")
    assert [tier.code for tier in tiers] == ["OC1", "OC2", "OC3", "OC4", "OC5"]
    assert [tier.countered_by.code for tier in tiers] == ["SL1", "SL2", "SL3", "SL4", "SL5"]
    assert [int(tier.budget_usd_max) for tier in tiers] == [1_000, 10_000, 1_000_000, 10_000_000, 1_000_000_000]
    assert {tier.evidence for tier in tiers} == {"secondary"}
