"""Which safety levels a defense's catalog measures meet, and what the next level lacks."""

import pytest

from riskapp.catalog.models import FrameworkVersion, SafetyLevel
from riskapp.catalog.selectors import level_coverage, list_levels, required_measures

pytestmark = pytest.mark.django_db


def _ids(measures):
    return [measure.measure_id for measure in measures]


def _containment(measures):
    return [measure for measure in measures if measure.kind == "containment"]


def test_all_of_a_level_meets_it():
    version = FrameworkVersion.objects.get(slug="anthropic-rsp-1.0")
    levels = list(list_levels(version))
    asl2 = next(level for level in levels if level.code == "ASL-2")

    coverages, unknown = level_coverage(_ids(required_measures(asl2)))

    assert unknown == []
    assert [c.kind for c in coverages] == ["containment", "deployment"]
    for coverage in coverages:
        assert coverage.met == asl2
        assert coverage.next_level == levels[levels.index(asl2) + 1]
        expected = [m for m in required_measures(coverage.next_level)
                    if m.kind == coverage.kind and m not in required_measures(asl2)]
        assert _ids(coverage.missing) == _ids(expected)


def test_kinds_judged_separately():
    version = FrameworkVersion.objects.get(slug="anthropic-rsp-1.0")
    asl3 = SafetyLevel.objects.get(version=version, code="ASL-3")

    # Only containment measures: the defense is placed by them, not held back by deployment.
    (coverage,), _ = level_coverage(_ids(_containment(required_measures(asl3))))

    assert coverage.kind == "containment"
    assert coverage.met == asl3


def test_one_missing_measure_drops_level():
    version = FrameworkVersion.objects.get(slug="anthropic-rsp-1.0")
    asl3 = SafetyLevel.objects.get(version=version, code="ASL-3")
    required = required_measures(asl3)

    last = required[-1]
    coverages, _ = level_coverage(_ids(required[:-1]))
    coverage = next(c for c in coverages if c.kind == last.kind)

    assert coverage.met is not None
    assert coverage.met.order == asl3.order - 1
    assert coverage.next_level == asl3
    assert coverage.missing == [last]


def test_superseding_measure_counts_for_lower_level():
    version = FrameworkVersion.objects.get(slug="anthropic-rsp-1.0")
    asl3 = SafetyLevel.objects.get(version=version, code="ASL-3")
    required = required_measures(asl3)
    assert any(measure.supersedes_id for measure in required)

    coverages, _ = level_coverage(_ids(required))

    # The lower-level measures that ASL-3 ones supersede are not listed, yet ASL-2 is met too.
    assert [coverage.met for coverage in coverages] == [asl3] * len(coverages)


def test_unknown_ids_reported():
    coverages, unknown = level_coverage(["no-such-version:x", "anthropic-rsp-1.0:not-a-measure"])
    assert coverages == []
    assert unknown == ["no-such-version:x", "anthropic-rsp-1.0:not-a-measure"]
