import pytest

from riskapp.catalog.models import SafetyLevel
from riskapp.catalog.selectors import required_measures, resolve_measure_ids, unknown_measure_codes

pytestmark = pytest.mark.django_db

RSP = "anthropic-rsp-1.0"


def test_resolver_finds_known_ids():
    ids = [f"{RSP}:asl3-containment-weight-security", f"{RSP}:asl2-deployment-model-cards"]
    resolution = resolve_measure_ids(ids)
    assert resolution.ok
    assert resolution.unknown == []
    assert list(resolution.measures) == ids
    assert resolution.measures[ids[0]].name == "Weight security against non-state attackers"
    assert resolution.measures[ids[1]].level.code == "ASL-2"


def test_resolver_reports_unknown_ids():
    ids = [
        f"{RSP}:asl3-containment-weight-security",
        f"{RSP}:no-such-measure",
        "anthropic-rsp-9.9:asl3-containment-weight-security",
        "missing-separator",
        ":asl2-deployment-model-cards",
        f"{RSP}:",
        f"{RSP}:no-such-measure",
    ]
    resolution = resolve_measure_ids(ids)
    assert not resolution.ok
    assert list(resolution.measures) == [ids[0]]
    assert resolution.unknown == ids[1:6]


def test_unknown_codes_only_unknown():
    ids = [f"{RSP}:asl2-deployment-model-cards", f"{RSP}:asl9-anything", f"{RSP}:asl9-anything"]
    assert unknown_measure_codes(ids) == [f"{RSP}:asl9-anything"]
    assert unknown_measure_codes(ids[:1]) == []


def test_resolver_empty_input():
    resolution = resolve_measure_ids([])
    assert resolution.ok
    assert resolution.measures == {}


def test_required_measures_accumulate():
    asl2 = SafetyLevel.objects.get(version__slug=RSP, code="ASL-2")
    asl3 = SafetyLevel.objects.get(version__slug=RSP, code="ASL-3")
    asl2_codes = {measure.code for measure in required_measures(asl2)}
    asl3_codes = {measure.code for measure in required_measures(asl3)}
    own_asl3 = set(asl3.measures.values_list("code", flat=True))
    superseded = {"asl2-containment-opportunistic-security", "asl2-containment-warning-sign-evaluations"}

    assert asl2_codes == set(asl2.measures.values_list("code", flat=True))
    assert asl3_codes == (asl2_codes - superseded) | own_asl3
    assert "asl2-deployment-model-cards" in asl3_codes
    assert not superseded & asl3_codes


def test_required_measures_lowest_level_first():
    asl4 = SafetyLevel.objects.get(version__slug=RSP, code="ASL-4")
    orders = [measure.level.order for measure in required_measures(asl4)]
    assert orders == sorted(orders)
    assert set(orders) == {2, 3, 4}


def test_required_measures_none_at_asl1():
    asl1 = SafetyLevel.objects.get(version__slug=RSP, code="ASL-1")
    assert required_measures(asl1) == []
