"""Ratings whose level changes when a scenario's risk matrix changes."""

from dataclasses import dataclass, replace
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from riskapp.engines.problem import Problem
from riskapp.engines.risk_matrix._ratings import rate_threats

# The kinds of change that ``rating_changes`` reports.
BAND_MISSING = "band_missing"
LEVEL_CHANGED = "level_changed"
NEWLY_RATED = "newly_rated"
NO_LONGER_RATED = "no_longer_rated"
ABOVE_SCALE = "above_scale"


@dataclass(frozen=True)
class RatedCell:
    """One side of a change: the bands and level a threat has in one matrix.

    ``level`` and ``level_index`` are ``None`` when a direct rating names a band label that the
    matrix does not have, so the threat has no cell. ``likelihood_value`` and
    ``consequence_value`` are set for derived ratings only. ``above_scale`` marks a consequence
    above the upper edge of a bounded highest band, which the engine rates in that band.
    """

    likelihood: str
    consequence: str
    level: str | None
    level_index: int | None
    origin: str
    likelihood_value: Fraction | None = None
    consequence_value: Fraction | None = None
    above_scale: bool = False
    missing_labels: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "likelihood": self.likelihood,
            "consequence": self.consequence,
            "level": self.level,
            "level_index": self.level_index,
            "origin": self.origin,
            "likelihood_value": None if self.likelihood_value is None else float(self.likelihood_value),
            "consequence_value": None if self.consequence_value is None else float(self.consequence_value),
            "above_scale": self.above_scale,
            "missing_labels": list(self.missing_labels),
        }


@dataclass(frozen=True)
class RatingChange:
    """One (defense, attack) pair whose rating differs between two matrices; ``None`` means unrated."""

    defense: str
    attack: str
    kind: str
    before: RatedCell | None
    after: RatedCell | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "defense": self.defense,
            "attack": self.attack,
            "kind": self.kind,
            "before": None if self.before is None else self.before.to_dict(),
            "after": None if self.after is None else self.after.to_dict(),
        }


@dataclass(frozen=True)
class MatrixChanges:
    """The result of ``rating_changes``: the changes, and the pairs that could not be compared."""

    changes: tuple[RatingChange, ...]
    compared_pairs: int
    unmatched_pairs: tuple[tuple[str, str], ...]


def rating_changes(before: Problem, after: Problem) -> MatrixChanges:
    """List every threat rating whose risk level differs between two versions of a problem.

    Parameters
    ----------
    before, after : Problem
        Two versions of one Defend–Attack problem, typically differing in ``risk_matrix``.
        Each is rated on its own: derived ratings are placed in that version's bands from
        that version's numbers, direct ratings are looked up by band label.

    Returns
    -------
    MatrixChanges
        ``changes`` in the after-problem's file order (defense, then attack). A pair is
        listed when its level label differs (``level_changed``) or when it is rated in one
        version only (``newly_rated``, ``no_longer_rated``). It is also listed when a direct
        rating names a band label that its matrix lacks (``band_missing``), because such a
        rating is never moved to a nearby band. Finally, ``above_scale`` marks a consequence
        above the bounded highest band of the after-matrix, which the engine rates in that
        band. ``unmatched_pairs`` are the pairs present in one version only, which cannot be
        compared.

    Notes
    -----
    Levels are compared by label, because a level index means another level once levels are
    added or removed. A derived rating can also change because the scenario's probabilities
    or losses changed; the listed values show the numbers each version placed.

    References
    ----------
    L. A. Cox Jr., "What's wrong with risk matrices?", Risk Analysis 28(2), 2008, on how
    band edges alone decide a rating.
    """
    old = _rated_cells(before)
    new = _rated_cells(after)
    before_pairs = {(d, a) for d in before.defense_ids for a in before.attack_ids}
    after_pairs = [(d, a) for d in after.defense_ids for a in after.attack_ids]

    changes = []
    for pair in after_pairs:
        if pair not in before_pairs:
            continue
        kind = _change_kind(old.get(pair), new.get(pair))
        if kind is not None:
            changes.append(RatingChange(pair[0], pair[1], kind, old.get(pair), new.get(pair)))

    unmatched = sorted(before_pairs.symmetric_difference(after_pairs))
    compared = sum(pair in before_pairs for pair in after_pairs)
    return MatrixChanges(tuple(changes), compared, tuple(unmatched))


def _change_kind(old: RatedCell | None, new: RatedCell | None) -> str | None:
    if old is None and new is None:
        return None
    if new is not None and new.missing_labels or old is not None and old.missing_labels:
        return BAND_MISSING
    if old is None:
        return NEWLY_RATED
    if new is None:
        return NO_LONGER_RATED
    if old.level != new.level:
        return LEVEL_CHANGED
    if new.above_scale and not old.above_scale:
        return ABOVE_SCALE
    return None


def _rated_cells(problem: Problem) -> dict[tuple[str, str], RatedCell]:
    """Rate every threat of a problem, keeping direct ratings whose labels the matrix lacks as such."""
    config = problem.risk_matrix
    likelihoods = {band.label for band in config.likelihood}
    consequences = {band.label for band in config.consequence}

    placeable = {}
    unplaceable = {}
    for pair, entered in config.ratings.items():
        missing = tuple(label for label, known in ((entered.likelihood, likelihoods),
                                                   (entered.consequence, consequences)) if label not in known)
        if missing:
            unplaceable[pair] = RatedCell(entered.likelihood, entered.consequence, None, None, "direct",
                                          missing_labels=missing)
        else:
            placeable[pair] = entered

    # Rating the rest would fail on the unplaceable ratings, so they are left out. Their pairs
    # then get derived ratings, which the entries added below replace.
    ratings, warnings = rate_threats(replace(problem, risk_matrix=replace(config, ratings=MappingProxyType(placeable))))
    above_scale = {(notice.params["defense"], notice.params["attack"])
                   for notice in warnings if notice.code == "risk_matrix.consequence_above_scale"}

    cells = {
        pair: RatedCell(
            likelihood=config.likelihood[rating.likelihood_band].label,
            consequence=config.consequence[rating.consequence_band].label,
            level=config.levels[rating.level].label,
            level_index=rating.level,
            origin=rating.origin,
            likelihood_value=rating.likelihood,
            consequence_value=rating.consequence,
            above_scale=pair in above_scale,
        )
        for pair, rating in ratings.items()
    }
    cells.update(unplaceable)
    return cells
