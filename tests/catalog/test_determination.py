"""The pure determination: zones, verdicts, the required level and the safeguards checklist."""

import pytest

from riskapp.catalog.determination import (
    ChecklistItem,
    Criterion,
    LevelRef,
    Observation,
    ThresholdSpec,
    Verdict,
    Zone,
    Zones,
    determine,
    judge_threshold,
    safeguard_checklist,
)

BASE = LevelRef("L2", 1)
L3 = LevelRef("L3", 2)
L4 = LevelRef("L4", 3)
UPLIFT = Zones(rule_out_bound=2.8, rule_out_inclusive=True, rule_in_bound=5.0, rule_in_inclusive=True)
VIROLOGY = Zones(rule_out_bound=0.5, rule_in_bound=0.8, rule_in_inclusive=False)
COMPUTE = Zones(rule_out_bound=1e25, rule_out_inclusive=True, rule_in_bound=1e25, rule_in_inclusive=False)


def _threshold(code="T3", *criteria, gating=True, level=L3, measures=("m3",)) -> ThresholdSpec:
    return ThresholdSpec(code=code, gating=gating, required_level=level, required_measures=measures,
                         criteria=criteria or (Criterion("uplift", UPLIFT),))


def _seen(benchmark: str, score: float, number: int = 1, version: str | None = None) -> Observation:
    return Observation(result_id=number, benchmark=benchmark, score=score, framework_version=version)


@pytest.mark.parametrize(("zones", "score", "zone"), [
    (UPLIFT, 2.53, Zone.RULE_OUT),
    (UPLIFT, 2.8, Zone.RULE_OUT),  # inclusive rule-out bound
    (UPLIFT, 2.81, Zone.INCONCLUSIVE),
    (UPLIFT, 5.0, Zone.RULE_IN),  # inclusive rule-in bound
    (VIROLOGY, 0.5, Zone.INCONCLUSIVE),  # exclusive rule-out bound
    (VIROLOGY, 0.8, Zone.INCONCLUSIVE),  # exclusive rule-in bound
    (VIROLOGY, 0.83, Zone.RULE_IN),
    (COMPUTE, 1e25, Zone.RULE_OUT),  # exactly 10^25 FLOP is not above it
    (COMPUTE, 1.0000001e25, Zone.RULE_IN),
    (Zones(), 0.9, Zone.INFORMATIVE),
    (Zones(rule_out_bound=0.6), 0.355, Zone.RULE_OUT),
    (Zones(rule_out_bound=0.6), 0.6, Zone.INCONCLUSIVE),
])
def test_zone_of_score(zones, score, zone):
    assert zones.classify(score) is zone


def test_lower_is_more_capable_zones():
    # E.g. minutes an agent needs: fewer minutes means more capability.
    zones = Zones(rule_out_bound=60, rule_in_bound=10, higher_is_more_capable=False)
    assert zones.problems() == []
    assert zones.classify(90) is Zone.RULE_OUT
    assert zones.classify(60) is Zone.INCONCLUSIVE
    assert zones.classify(10) is Zone.RULE_IN
    assert zones.classify(5) is Zone.RULE_IN
    assert Zones(rule_out_bound=10, rule_in_bound=60, higher_is_more_capable=False).problems()


def test_rule_in_exactly_at_bound():
    finding = judge_threshold(_threshold(), [_seen("uplift", 5.0)])
    assert finding.verdict is Verdict.RULED_IN
    assert finding.requires_safeguards


def test_all_rule_out_rules_out():
    threshold = _threshold("T3", Criterion("uplift", UPLIFT), Criterion("virology", VIROLOGY))
    finding = judge_threshold(threshold, [_seen("uplift", 1.7, 1), _seen("virology", 0.3, 2)])
    assert finding.verdict is Verdict.RULED_OUT
    assert not finding.conflicting
    assert not finding.requires_safeguards
    assert finding.missing_benchmarks == ()


def test_missing_results_not_assessed():
    threshold = _threshold("T3", Criterion("uplift", UPLIFT), Criterion("virology", VIROLOGY))
    finding = judge_threshold(threshold, [_seen("other", 0.9)])
    assert finding.verdict is Verdict.NOT_ASSESSED
    assert finding.missing_benchmarks == ("uplift", "virology")
    assert not finding.requires_safeguards


def test_partial_results_list_missing():
    threshold = _threshold("T3", Criterion("uplift", UPLIFT), Criterion("virology", VIROLOGY))
    finding = judge_threshold(threshold, [_seen("uplift", 1.0)])
    assert finding.verdict is Verdict.RULED_OUT
    assert finding.missing_benchmarks == ("virology",)


def test_conflicting_results_inconclusive():
    threshold = _threshold("T3", Criterion("uplift", UPLIFT), Criterion("virology", VIROLOGY))
    finding = judge_threshold(threshold, [_seen("uplift", 2.53, 1), _seen("virology", 0.83, 2)])
    assert finding.verdict is Verdict.INCONCLUSIVE
    assert finding.conflicting
    assert finding.requires_safeguards
    assert [reading.zone for reading in finding.readings] == [Zone.RULE_OUT, Zone.RULE_IN]


def test_conflict_on_one_benchmark():
    finding = judge_threshold(_threshold(), [_seen("uplift", 1.0, 1), _seen("uplift", 6.0, 2)])
    assert finding.verdict is Verdict.INCONCLUSIVE
    assert finding.conflicting


def test_grey_zone_inconclusive():
    finding = judge_threshold(_threshold(), [_seen("uplift", 3.5)])
    assert finding.verdict is Verdict.INCONCLUSIVE
    assert not finding.conflicting


def test_informative_results_only():
    threshold = _threshold("T3", Criterion("wmdp", Zones()))
    finding = judge_threshold(threshold, [_seen("wmdp", 0.8)])
    assert finding.verdict is Verdict.NOT_ASSESSED
    assert not finding.requires_safeguards
    assert [reading.zone for reading in finding.readings] == [Zone.INFORMATIVE]


def test_informative_beside_rule_out():
    threshold = _threshold("T3", Criterion("wmdp", Zones()), Criterion("uplift", UPLIFT))
    finding = judge_threshold(threshold, [_seen("wmdp", 0.8, 1), _seen("uplift", 1.0, 2)])
    assert finding.verdict is Verdict.RULED_OUT


def test_other_version_results_excluded():
    threshold = _threshold()
    other = _seen("uplift", 6.0, 1, version="framework-1.0")
    same = _seen("uplift", 1.0, 2, version="framework-2.0")
    determination = determine([threshold], [other, same], version="framework-2.0", baseline_level=BASE)
    assert determination.excluded == (other,)
    assert determination.findings[0].verdict is Verdict.RULED_OUT
    assert determination.required_level == BASE


def test_unversioned_results_apply_everywhere():
    determination = determine([_threshold()], [_seen("uplift", 6.0)], version="framework-2.0",
                              baseline_level=BASE)
    assert determination.excluded == ()
    assert determination.findings[0].verdict is Verdict.RULED_IN


def test_required_level_is_highest():
    thresholds = [
        _threshold("T3", Criterion("uplift", UPLIFT), level=L3, measures=("m3-deploy", "m3-security")),
        _threshold("T4", Criterion("virology", VIROLOGY), level=L4, measures=("m4-security", "m3-security")),
        _threshold("T5", Criterion("compute", COMPUTE), level=LevelRef("L5", 4), measures=("m5",)),
    ]
    observations = [_seen("uplift", 6.0, 1), _seen("virology", 0.6, 2), _seen("compute", 1e24, 3)]
    determination = determine(thresholds, observations, version="v", baseline_level=BASE,
                              baseline_measures=("m2", "m2"))
    assert [finding.verdict for finding in determination.findings] == [
        Verdict.RULED_IN, Verdict.INCONCLUSIVE, Verdict.RULED_OUT,
    ]
    assert determination.required_level == L4
    assert determination.required_measures == ("m2", "m3-deploy", "m3-security", "m4-security")


def test_monitored_threshold_requires_nothing():
    monitored = _threshold("Cyber", gating=False, level=None, measures=())
    determination = determine([monitored], [_seen("uplift", 9.0)], version="v", baseline_level=BASE,
                              baseline_measures=("m2",))
    assert determination.findings[0].verdict is Verdict.RULED_IN
    assert determination.required_level == BASE
    assert determination.required_measures == ("m2",)


def test_unassessed_gating_listed():
    thresholds = [_threshold("T3"), _threshold("Cyber", gating=False, level=None, measures=())]
    determination = determine(thresholds, [], version="v", baseline_level=BASE)
    assert [threshold.code for threshold in determination.unassessed_gating] == ["T3"]
    assert determination.required_level == BASE


def test_checklist_marks_in_place():
    checklist = safeguard_checklist(("m2", "m3-deploy", "m3-security"), {"m3-security", "unrelated"})
    assert checklist == [ChecklistItem("m2", False), ChecklistItem("m3-deploy", False),
                         ChecklistItem("m3-security", True)]
