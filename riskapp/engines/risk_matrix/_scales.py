"""Band edges, exact band placement, and the risk of each matrix cell under a criterion.

Every comparison here is exact: band edges are the rationals written in the scenario file and
risks are compared as rationals, so a value on a band edge is a tie, never a rounding accident.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from riskapp.engines.problem import Band, RiskMatrixConfig

# A band edge or a risk that has no upper bound (the unbounded last consequence band).
UNBOUNDED = math.inf

Number = Fraction | float


def band_edges(bands: Sequence[Band]) -> tuple[Number, ...]:
    """Return ``(0, upper_0, upper_1, …)``: band ``i`` spans ``edges[i]`` to ``edges[i + 1]``."""
    return (Fraction(0), *(UNBOUNDED if band.upper is None else band.upper for band in bands))


def place_in_band(value: Fraction, bands: Sequence[Band], *, field: str) -> int:
    """Return the index of the band holding ``value``: ``[0, upper_0]``, then ``(upper_{i-1}, upper_i]``."""
    if value < 0:
        raise ValueError(f"{field}: {value} is negative; band values start at 0")
    for index, band in enumerate(bands):
        if band.upper is None or value <= band.upper:
            return index
    raise ValueError(f"{field}: {value} lies above the last band's upper edge {bands[-1].upper}")


def describe_band(bands: Sequence[Band], index: int) -> dict[str, Any]:
    """Describe the interval a band covers, as JSON: the first band is closed at 0, the others open below."""
    # Only the last band may be unbounded, so every lower edge is a number.
    lower = Fraction(0) if index == 0 else bands[index - 1].upper
    assert lower is not None
    upper = bands[index].upper
    return {
        "index": index,
        "label": bands[index].label,
        "lower": float(lower),
        "upper": None if upper is None else float(upper),
        "lower_closed": index == 0,
    }


@dataclass(frozen=True)
class CellRisk:
    """The range of risk over one cell: ``lower`` is the infimum and ``upper`` the supremum.

    Risks are comparison keys of the criterion (see ``RiskScale``): rationals or ``UNBOUNDED``
    for the product criteria, ``(consequence band, likelihood)`` pairs for severity-first.
    """

    lower: Any
    upper: Any


class RiskScale:
    """A risk criterion turned into exact, comparable keys for the corners of matrix cells.

    ``p·c^k`` with rational ``k = a/b ≥ 1`` is compared through its ``b``-th power
    ``p^b · c^a``, which is rational and orders risks exactly as ``p·c^k`` does, since
    ``x ↦ x^b`` is increasing on ``[0, ∞)``. Two conventions settle the edges of the matrix:

    * probability 0 carries risk 0 whatever the consequence, even in the unbounded band,
      because a threat that never occurs harms no one;
    * the unbounded last consequence band has supremum risk ``UNBOUNDED`` in every row, because
      its likelihood bands all reach above 0.
    """

    def __init__(self, config: RiskMatrixConfig, *, exponent: Fraction = Fraction(1)) -> None:
        if exponent < 1:
            raise ValueError(f"risk_matrix.criterion.power: {exponent} is below 1")
        self.exponent = exponent
        self.likelihood_edges = band_edges(config.likelihood)
        self.consequence_edges = band_edges(config.consequence)

    def key(self, probability: Number, consequence: Number) -> Number:
        """Return the exact comparison key ``(p·c^k)^b`` of one point."""
        if probability == 0:
            return Fraction(0)
        if consequence == UNBOUNDED:
            return UNBOUNDED
        k = self.exponent
        if k == 1:
            return probability * consequence
        return probability ** k.denominator * consequence ** k.numerator

    def cell(self, row: int, column: int) -> CellRisk:
        p, c = self.likelihood_edges, self.consequence_edges
        return CellRisk(self.key(p[row], c[column]), self.key(p[row + 1], c[column + 1]))

    def risk_value(self, key: Number) -> float | None:
        """Convert a key back to ``p·c^k`` as a float for display; ``None`` when unbounded."""
        if key == UNBOUNDED:
            return None
        return float(key) ** (1 / self.exponent.denominator)

    def ratio_exceeds(self, upper: Number, lower: Number, threshold: Fraction) -> bool:
        """Whether ``risk(upper) / risk(lower) > threshold``, exactly; ``lower`` must be positive."""
        return upper > lower * threshold ** self.exponent.denominator

    def ratio(self, upper: Number, lower: Number) -> float:
        return float(Fraction(upper) / Fraction(lower)) ** (1 / self.exponent.denominator)


class SeverityFirstScale:
    """The lexicographic criterion: consequence band first, then likelihood.

    The key of a point is ``(consequence band index, likelihood)``, so any point in a higher
    consequence band is riskier, and within a band the likelihood decides. A cell's range
    runs from its lower to its upper likelihood edge within its own consequence band, so a
    cell in the lowest likelihood row still outranks every cell of a lower consequence band.
    """

    exponent = None

    def __init__(self, config: RiskMatrixConfig) -> None:
        self.likelihood_edges = band_edges(config.likelihood)

    def cell(self, row: int, column: int) -> CellRisk:
        p = self.likelihood_edges
        return CellRisk((column, p[row]), (column, p[row + 1]))


def criterion_scale(config: RiskMatrixConfig) -> RiskScale | SeverityFirstScale:
    """Return the scale on which the coherence checks judge the grid, from the declared criterion."""
    if config.criterion == "expected_loss":
        return RiskScale(config)
    if config.criterion == "power":
        if config.power is None:
            raise ValueError("risk_matrix.criterion: the power criterion needs an exponent k")
        return RiskScale(config, exponent=Fraction(config.power))
    if config.criterion == "severity_first":
        return SeverityFirstScale(config)
    raise ValueError(f"risk_matrix.criterion: {config.criterion!r} is not expected_loss, power or severity_first")
