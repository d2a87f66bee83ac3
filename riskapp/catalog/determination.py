"""Determine which capability thresholds a model's evaluation results rule out or rule in.

Pure functions on plain data, without Django, so that every case can be tested directly; the
selector ``selectors.determine_for_profile`` builds the inputs from the database.

The rules follow the three-zone practice of frontier safety frameworks, in which a threshold
counts as crossed unless the evidence rules it out (Anthropic's Responsible Scaling Policy 2.2,
https://www-cdn.anthropic.com/872c653b2d0501d6ab44cf87f43e1dc4853e4d37.pdf):

- A result in a criterion's rule-out zone rules the threshold out, one in the rule-in zone rules
  it in, one between the zones is inconclusive. A benchmark without zones only informs.
- A threshold is ruled in when some result rules it in and none rules it out. It is ruled out
  when every result with zones rules it out. Otherwise it is inconclusive, which includes
  conflicting results (some rule in, others rule out). It is not assessed when no result falls under a criterion
  with zones, because informative results alone cannot decide anything.
- Ruled-in and inconclusive gating thresholds both require their safeguards, because a
  threshold that cannot be ruled out is treated as crossed.
- A result recorded against a framework version applies to that version only; a result without
  one applies to every version.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum


class Zone(str, Enum):
    """The zone of one score relative to one criterion's bounds."""

    RULE_OUT = "rule_out"
    INCONCLUSIVE = "inconclusive"
    RULE_IN = "rule_in"
    INFORMATIVE = "informative"  # the criterion publishes no bounds


class Verdict(str, Enum):
    """The verdict of the results on one threshold."""

    RULED_OUT = "ruled_out"
    INCONCLUSIVE = "inconclusive"
    RULED_IN = "ruled_in"
    NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class Zones:
    """Rule-out and rule-in bounds of a criterion, in the benchmark's unit.

    With ``higher_is_more_capable``, a score below ``rule_out_bound`` rules out and a score above
    ``rule_in_bound`` rules in; the inclusive flags decide whether a score exactly at a bound does
    too. With a lower-is-more-capable benchmark the sides swap.
    """

    rule_out_bound: float | None = None
    rule_in_bound: float | None = None
    rule_out_inclusive: bool = False
    rule_in_inclusive: bool = True
    higher_is_more_capable: bool = True

    def problems(self) -> list[str]:
        """Return why the bounds are inconsistent, or an empty list."""
        if self.rule_out_bound is None or self.rule_in_bound is None:
            return []
        out_bound, in_bound = self.rule_out_bound, self.rule_in_bound
        if not self.higher_is_more_capable:
            out_bound, in_bound = -out_bound, -in_bound
        if out_bound > in_bound:
            side = "above" if self.higher_is_more_capable else "below"
            return [f"the rule-in bound must not lie on the less capable side of the rule-out bound "
                    f"(expected it {side} or equal)"]
        if out_bound == in_bound and self.rule_out_inclusive and self.rule_in_inclusive:
            return ["at equal bounds, a score at the bound cannot both rule out and rule in"]
        return []

    def classify(self, score: float) -> Zone:
        """Place ``score`` in a zone."""
        if self.rule_out_bound is None and self.rule_in_bound is None:
            return Zone.INFORMATIVE
        # Flip signs so that "more capable" is always "greater".
        sign = 1.0 if self.higher_is_more_capable else -1.0
        value = sign * score
        if self.rule_in_bound is not None:
            bound = sign * self.rule_in_bound
            if value > bound or (value == bound and self.rule_in_inclusive):
                return Zone.RULE_IN
        if self.rule_out_bound is not None:
            bound = sign * self.rule_out_bound
            if value < bound or (value == bound and self.rule_out_inclusive):
                return Zone.RULE_OUT
        return Zone.INCONCLUSIVE


@dataclass(frozen=True)
class Criterion:
    benchmark: str
    zones: Zones


@dataclass(frozen=True)
class LevelRef:
    """A safety level by its code and its order within the framework version."""

    code: str
    order: int


@dataclass(frozen=True)
class ThresholdSpec:
    """A capability threshold with what it requires and the criteria that bear on it."""

    code: str
    gating: bool
    required_level: LevelRef | None
    required_measures: tuple[str, ...]
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Observation:
    """One evaluation result: a score on a benchmark, possibly recorded against a framework version."""

    result_id: int | str
    benchmark: str
    score: float
    framework_version: str | None = None


@dataclass(frozen=True)
class Reading:
    observation: Observation
    zone: Zone


@dataclass(frozen=True)
class ThresholdFinding:
    threshold: ThresholdSpec
    verdict: Verdict
    readings: tuple[Reading, ...]
    conflicting: bool
    # Criteria of the threshold that have no result, by benchmark.
    missing_benchmarks: tuple[str, ...]

    @property
    def requires_safeguards(self) -> bool:
        return self.threshold.gating and self.verdict in (Verdict.RULED_IN, Verdict.INCONCLUSIVE)


@dataclass(frozen=True)
class Determination:
    """The findings for every threshold of a framework version, and what they require."""

    version: str
    findings: tuple[ThresholdFinding, ...]
    required_level: LevelRef | None
    # Baseline measures first, then those of each threshold that requires safeguards, each once.
    required_measures: tuple[str, ...]
    # Results recorded against another framework version, which this determination ignores.
    excluded: tuple[Observation, ...] = field(default=())

    @property
    def unassessed_gating(self) -> tuple[ThresholdSpec, ...]:
        """Gating thresholds without a decisive result: the required level is a lower bound while these remain."""
        return tuple(finding.threshold for finding in self.findings
                     if finding.threshold.gating and finding.verdict is Verdict.NOT_ASSESSED)


@dataclass(frozen=True)
class ChecklistItem:
    measure: str
    in_place: bool


def judge_threshold(threshold: ThresholdSpec, observations: Sequence[Observation]) -> ThresholdFinding:
    """Read every observation against the threshold's criteria and reach a verdict."""
    readings: list[Reading] = []
    missing = []
    for criterion in threshold.criteria:
        matching = [observation for observation in observations if observation.benchmark == criterion.benchmark]
        if not matching:
            missing.append(criterion.benchmark)
        readings.extend(Reading(observation, criterion.zones.classify(observation.score)) for observation in matching)

    zones = {reading.zone for reading in readings}
    conflicting = Zone.RULE_IN in zones and Zone.RULE_OUT in zones
    if not zones - {Zone.INFORMATIVE}:
        verdict = Verdict.NOT_ASSESSED
    elif conflicting or Zone.INCONCLUSIVE in zones:
        verdict = Verdict.INCONCLUSIVE
    elif Zone.RULE_IN in zones:
        verdict = Verdict.RULED_IN
    else:
        # NOTE: a threshold counts as ruled out even when some of its criteria have no result;
        # ``missing_benchmarks`` lists them so that a reader can judge how strong the evidence is.
        verdict = Verdict.RULED_OUT

    return ThresholdFinding(threshold=threshold, verdict=verdict, readings=tuple(readings),
                            conflicting=conflicting, missing_benchmarks=tuple(missing))


def determine(
    thresholds: Sequence[ThresholdSpec],
    observations: Iterable[Observation],
    *,
    version: str,
    baseline_level: LevelRef | None,
    baseline_measures: Sequence[str] = (),
) -> Determination:
    """Determine the verdict on every threshold of ``version`` and the safety level and measures required.

    The required level is the highest level that a threshold requiring safeguards names, or
    ``baseline_level`` when none does.
    """
    applicable = []
    excluded = []
    for observation in observations:
        if observation.framework_version is None or observation.framework_version == version:
            applicable.append(observation)
        else:
            excluded.append(observation)

    findings = tuple(judge_threshold(threshold, applicable) for threshold in thresholds)

    required_level = baseline_level
    required_measures = list(dict.fromkeys(baseline_measures))
    for finding in findings:
        if not finding.requires_safeguards:
            continue
        level = finding.threshold.required_level
        if level is not None and (required_level is None or level.order > required_level.order):
            required_level = level
        for measure in finding.threshold.required_measures:
            if measure not in required_measures:
                required_measures.append(measure)

    return Determination(version=version, findings=findings, required_level=required_level,
                         required_measures=tuple(required_measures), excluded=tuple(excluded))


def safeguard_checklist(required_measures: Sequence[str], measures_in_place: Collection[str]) -> list[ChecklistItem]:
    """Mark each required measure as in place or missing, keeping the required order."""
    return [ChecklistItem(measure, measure in measures_in_place) for measure in required_measures]
