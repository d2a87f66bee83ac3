"""Helpers of the scenario editor that need no database: error lists and density previews.

The editor sends the scenario as JSON text, and the import's parser judges it, so the
editor shows exactly the messages that an imported file would get.
"""

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from riskapp.engines.distributions import PERT_LAMBDA, Distribution
from riskapp.scenarios.format import FORMAT_NAME, FieldError, ScenarioDocument
from riskapp.scenarios.format._errors import join_path, render_value
from riskapp.scenarios.format._numbers import attacker_distribution
from riskapp.scenarios.format._reading import read_json
from riskapp.scenarios.revision_diff import ABSENT, ScenarioDiff, ValueChange, diff_scenarios, format_value

# Points of a density preview: enough for a smooth curve in a small inline SVG.
PREVIEW_POINTS = 121

# A preview of an unbounded distribution spans these quantiles.
PREVIEW_TAIL = 0.001

# Largest attacker-number text that the preview endpoint reads, far more than one distribution needs.
# A piecewise cdf of the format's largest size (200 points) fits.
MAX_PREVIEW_BYTES = 16384

# The document of a new scenario: the format's required fields, with one empty defense and
# attack and the two outcomes that the format needs at least.
EMPTY_DOCUMENT = {
    "format": FORMAT_NAME,
    "title": "",
    "defenses": [{"id": "", "name": ""}],
    "attacks": [{"id": "", "name": ""}],
    "outcomes": [{"id": "", "name": ""}, {"id": "", "name": ""}],
    "probabilities": {},
}


def empty_document_text() -> str:
    return json.dumps(EMPTY_DOCUMENT, indent=2)


def error_list(errors: list[FieldError]) -> list[dict[str, str]]:
    """Describe each error for the page: its path, the full message and its parts."""
    return [{"path": error.path, "message": str(error), "value": render_value(error.value), "rule": error.rule}
            for error in errors]


@dataclass(frozen=True)
class DensityPreview:
    """A distribution's density sampled on a grid, with the mean that the game solver uses.

    ``low`` and ``high`` are the ends of the plotted range: the support's bounds, or the
    ``PREVIEW_TAIL`` quantiles where the support is unbounded.
    """

    mean: float
    low: float
    high: float
    x: list[float]
    density: list[float | None]
    is_point: bool

    def as_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "low": self.low, "high": self.high, "x": self.x, "density": self.density,
                "is_point": self.is_point}


def preview_attacker_number(path: str, text: str) -> tuple[DensityPreview | None, list[FieldError]]:
    """Read one attacker number written as JSON and sample its density.

    ``path`` is the field's place in the scenario (such as ``attacks[1].cost``), so that a
    rejected value gets the same message as in an imported file.
    """
    tree, errors = read_json(text)
    if errors:
        return None, [FieldError(path, error.value, error.rule) for error in errors]

    problems: list[FieldError] = []
    distribution = attacker_distribution(path, tree, lambda where, value, rule: problems.append(
        FieldError(where, value, rule)))
    if distribution is None:
        return None, problems
    return density_preview(distribution), []


def density_preview(distribution: Distribution) -> DensityPreview:
    """Sample the density of ``distribution`` at ``PREVIEW_POINTS`` points across its likely range."""
    mean = distribution.mean()
    if distribution.is_point:
        return DensityPreview(mean=mean, low=mean, high=mean, x=[mean], density=[None], is_point=True)

    if distribution.kind == "piecewise_cdf":
        return _piecewise_density(distribution, mean)
    frozen = _scipy_distribution(distribution)
    low, high = distribution.support()
    if not math.isfinite(low):
        low = float(frozen.ppf(PREVIEW_TAIL))
    if not math.isfinite(high):
        high = float(frozen.ppf(1 - PREVIEW_TAIL))
    # Midpoints of equal steps keep away from the ends, where some beta densities are infinite.
    steps = (np.arange(PREVIEW_POINTS) + 0.5) / PREVIEW_POINTS
    x = low + (high - low) * steps
    density = frozen.pdf(x)
    return DensityPreview(mean=mean, low=low, high=high, x=[float(value) for value in x],
                          density=[float(value) if math.isfinite(value) else None for value in density],
                          is_point=False)


def _piecewise_density(distribution: Distribution, mean: float) -> DensityPreview:
    """Sample the density of a piecewise-linear cdf: on each rising segment, its slope ΔF / Δx.

    A jump in F (a point mass) has no density and shows only in the mean.
    """
    p = distribution.parameters
    xs, fs = np.array(p[0::2], dtype=float), np.array(p[1::2], dtype=float)
    low, high = float(xs[0]), float(xs[-1])
    steps = (np.arange(PREVIEW_POINTS) + 0.5) / PREVIEW_POINTS
    x = low + (high - low) * steps
    segment = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
    width = xs[segment + 1] - xs[segment]
    density = np.where(width > 0, (fs[segment + 1] - fs[segment]) / np.where(width > 0, width, 1.0), 0.0)
    return DensityPreview(mean=mean, low=low, high=high, x=[float(value) for value in x],
                          density=[float(value) for value in density], is_point=False)


def _scipy_distribution(distribution: Distribution):
    """Return the scipy distribution whose quantile function ``Distribution.quantile`` matches."""
    p = distribution.parameters
    match distribution.kind:
        case "uniform":
            return stats.uniform(loc=p[0], scale=p[1] - p[0])
        case "triangular":
            return stats.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])
        case "pert":
            width = p[2] - p[0]
            alpha = 1 + PERT_LAMBDA * (p[1] - p[0]) / width
            beta = 1 + PERT_LAMBDA * (p[2] - p[1]) / width
            return stats.beta(alpha, beta, loc=p[0], scale=width)
        case "normal":
            return stats.norm(loc=p[0], scale=p[1])
        case "truncated_normal":
            loc, scale, low, high = p
            a = -np.inf if low is None else (low - loc) / scale
            b = np.inf if high is None else (high - loc) / scale
            return stats.truncnorm(a, b, loc=loc, scale=scale)
        case "lognormal":
            return stats.lognorm(p[1], scale=math.exp(p[0]))
        case "beta":
            a, b, low, high = p
            return stats.beta(a, b, loc=low, scale=high - low)
    raise ValueError(f"distribution kind {distribution.kind!r} has no density preview")


@dataclass(frozen=True)
class OverwrittenField:
    """A field that a newer revision changed and that a save of the analyst's document sets back.

    ``path`` is the field's path in the analyst's document, as the editor marks it, and the
    values are written as each document has them (``None`` where the document lacks the field).
    """

    path: str
    mine: str | None
    theirs: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"path": self.path, "mine": self.mine, "theirs": self.theirs}


def overwritten_fields(base: ScenarioDocument, latest: ScenarioDocument,
                       mine: ScenarioDocument) -> list[OverwrittenField]:
    """List the fields that changed from ``base`` to ``latest`` and whose value in ``mine`` differs from ``latest``.

    These are the changes of the newer revisions that saving ``mine`` would undo. A field
    changed in both to the same value is not listed. The order of the entities is not compared.
    """
    changed_since_base = {change.path for change in _value_changes(diff_scenarios(base, latest))}
    entity_index = {key: {item["id"]: index for index, item in enumerate(mine.data.get(key, []))}
                    for key in ("defenses", "attacks", "outcomes")}
    return [OverwrittenField(_editor_path(change.path, entity_index), _shown(change.old), _shown(change.new))
            for change in _value_changes(diff_scenarios(mine, latest)) if change.path in changed_since_base]


def _value_changes(diff: ScenarioDiff) -> tuple[ValueChange, ...]:
    return diff.text + diff.settings + diff.numbers + diff.probabilities


def _editor_path(path: tuple[str, ...], entity_index: dict[str, dict[str, int]]) -> str:
    """Write a diff path as the field path of the analyst's document, with entities by their index there."""
    first, *rest = path
    text = first
    if first in entity_index and rest and rest[0] in entity_index[first]:
        text = join_path(first, entity_index[first][rest[0]])
        rest = rest[1:]
    for key in rest:
        text = join_path(text, key)
    return text


def _shown(value: Any) -> str | None:
    return None if value is ABSENT else format_value(value)
