"""Coherence checks of a configured risk matrix against its declared risk criterion.

The checks follow the axioms of L. A. Cox Jr., "What's wrong with risk matrices?", Risk
Analysis 28(2), 2008. They judge the grid on the criterion the scenario declares (``p·c``,
``p·c^k`` or severity-first) instead of always on ``p·c``, so a grid that breaks an axiom is
inconsistent with the stated criterion, not wrong.

"Bottom" and "top" are the lowest and highest levels that the grid uses (Cox's green and red).
Cells are read as Cox reads them: a point on the boundary of two cells belongs to neither, so
a range is the interval between a cell's infimum and supremum risk, and a tie on a band edge
is a tie (weak consistency holds when the largest bottom risk equals the smallest top risk).
"""

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any

from riskapp.engines.problem import RiskMatrixConfig
from riskapp.engines.result import Notice
from riskapp.engines.risk_matrix._scales import (
    UNBOUNDED,
    CellRisk,
    RiskScale,
    SeverityFirstScale,
    criterion_scale,
)

CHECKS = ("structure", "monotonicity", "weak_consistency", "betweenness", "consistent_coloring",
          "range_compression")

Cell = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    """One entry of the ``coherence`` section: a check's status, the cells involved and why."""

    check: str
    status: str
    cells: tuple[Cell, ...]
    notice: Notice

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "cells": [list(cell) for cell in self.cells],
            "message": self.notice.text,
            "message_detail": self.notice.to_dict(),
        }


def check_coherence(config: RiskMatrixConfig, *, compression_threshold: Fraction = Fraction(10)) -> list[Finding]:
    """Check a risk matrix against Cox's axioms under its declared criterion.

    Parameters
    ----------
    config : RiskMatrixConfig
        A structurally valid matrix: bands, levels, grid and criterion.
    compression_threshold : Fraction, keyword-only
        Range compression is reported when the largest risk at one level exceeds the smallest
        by more than this factor.

    Returns
    -------
    list of Finding
        For every check in ``CHECKS``, its findings (``warning`` or ``fail``), or a single
        ``pass``. ``structure`` lists warnings only: structural errors are rejected when the
        scenario is read.

    Notes
    -----
    ``monotonicity`` fails when a cell is rated below a cell it dominates on both axes, and
    warns when the criterion puts every risk of a cell at or above every risk of a
    higher-rated cell. ``weak_consistency`` fails when some bottom-level risk exceeds some
    top-level risk. ``betweenness`` fails when a bottom cell touches a top cell in the rising
    direction (sharing an edge or the corner above and to the right), and warns on other
    jumps of more than one level between such neighbours. Under severity-first only the
    likelihood neighbour counts, because that criterion jumps at every consequence band edge
    by declaration. ``consistent_coloring`` warns on an intermediate cell that lies wholly
    below the top level while reaching into the bottom level's range ("should be bottom"),
    and the mirror case ("should be top"). ``range_compression`` warns when the risks given
    one level span more than ``compression_threshold``.

    References
    ----------
    L. A. Cox Jr., "What's wrong with risk matrices?", Risk Analysis 28(2), 2008.
    """
    rows, columns = len(config.likelihood), len(config.consequence)
    _assert_grid(config)
    threshold = Fraction(compression_threshold)
    if threshold <= 1:
        raise ValueError(f"compression_threshold: {threshold} must be greater than 1")

    scale = criterion_scale(config)
    risks = {(i, j): scale.cell(i, j) for i in range(rows) for j in range(columns)}
    used = sorted({level for row in config.grid for level in row})
    bottom, top = used[0], used[-1]

    findings = _structure(config, used)
    findings += _monotonicity(config, risks, scale)
    findings += _weak_consistency(config, risks, scale, bottom, top)
    findings += _betweenness(config, isinstance(scale, SeverityFirstScale), bottom, top)
    findings += _consistent_coloring(config, risks, scale, bottom, top)
    findings += _range_compression(config, scale, risks, threshold)
    return findings


def _assert_grid(config: RiskMatrixConfig) -> None:
    rows, columns = len(config.likelihood), len(config.consequence)
    if rows < 1 or columns < 1 or len(config.levels) < 1:
        raise ValueError("risk_matrix: at least one likelihood band, one consequence band and one level are required")
    if len(config.grid) != rows or any(len(row) != columns for row in config.grid):
        raise ValueError(f"risk_matrix.grid: expected {rows} rows of {columns} cells, one per band pair")
    for i, row in enumerate(config.grid):
        for j, level in enumerate(row):
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level < len(config.levels):
                raise ValueError(
                    f"risk_matrix.grid[{i}][{j}]: {level!r} is not a level index below {len(config.levels)}")


def _cell_name(config: RiskMatrixConfig, cell: Cell) -> str:
    i, j = cell
    return f"({config.likelihood[i].label}, {config.consequence[j].label})"


def _cells_text(config: RiskMatrixConfig, cells: list[Cell]) -> str:
    return ", ".join(_cell_name(config, cell) for cell in sorted(cells))


def _describe_risk(config: RiskMatrixConfig, scale: RiskScale | SeverityFirstScale, key: Any) -> str:
    if isinstance(scale, SeverityFirstScale):
        column, likelihood = key
        return f"consequence band {config.consequence[column].label} at likelihood {float(likelihood):g}"
    value = scale.risk_value(key)
    return "unbounded" if value is None else f"{value:g}"


def _passed(check: str, template: str, **params: Any) -> Finding:
    return Finding(check, "pass", (), Notice(f"risk_matrix.{check}.pass", template, params))


def _structure(config: RiskMatrixConfig, used: list[int]) -> list[Finding]:
    findings = []
    for axis, bands in (("likelihood", config.likelihood), ("consequence", config.consequence)):
        if len(bands) == 1:
            findings.append(Finding("structure", "warning", (), Notice(
                "risk_matrix.structure.single_band",
                "The matrix has a single {axis} band ({label}), so {axis} cannot rank threats.",
                {"axis": axis, "label": bands[0].label})))
    for index, level in enumerate(config.levels):
        if index not in used:
            findings.append(Finding("structure", "warning", (), Notice(
                "risk_matrix.structure.unused_level",
                "No cell of the grid has level {level}.",
                {"level": level.label})))
    if len(used) == 1:
        findings.append(Finding("structure", "warning", (), Notice(
            "risk_matrix.structure.single_level",
            "Every cell has level {level}, so the matrix cannot tell threats apart.",
            {"level": config.levels[used[0]].label})))
    return findings or [_passed("structure", "The matrix can rank threats on both axes and uses every level.")]


def _monotonicity(config: RiskMatrixConfig, risks: dict[Cell, CellRisk], scale: Any) -> list[Finding]:
    grid = config.grid
    findings = []

    for cell in sorted(risks):
        i, j = cell
        for above in ((i + 1, j), (i, j + 1)):
            if above in risks and grid[above[0]][above[1]] < grid[i][j]:
                findings.append(Finding("monotonicity", "fail", (cell, above), Notice(
                    "risk_matrix.monotonicity.dominated",
                    "Cell {higher} is at least as likely and as severe as {lower} but has the lower level "
                    "{higher_level} (against {lower_level}).",
                    {"higher": _cell_name(config, above), "lower": _cell_name(config, cell),
                     "higher_level": config.levels[grid[above[0]][above[1]]].label,
                     "lower_level": config.levels[grid[i][j]].label})))

    # Reversals under the criterion beyond dominance: every risk of the lower-rated cell is at
    # least every risk of the higher-rated one. They are grouped by pair of levels, since a
    # lexicographic criterion can reverse hundreds of cell pairs in a large grid.
    reversals: dict[tuple[int, int], list[tuple[Cell, Cell]]] = {}
    for first, second in combinations(sorted(risks), 2):
        for low, high in ((first, second), (second, first)):
            if grid[low[0]][low[1]] < grid[high[0]][high[1]] and risks[low].lower >= risks[high].upper:
                reversals.setdefault((grid[low[0]][low[1]], grid[high[0]][high[1]]), []).append((low, high))

    for (low_level, high_level), pairs in sorted(reversals.items()):
        low, high = pairs[0]
        cells = sorted({cell for pair in pairs for cell in pair})
        findings.append(Finding("monotonicity", "warning", tuple(cells), Notice(
            "risk_matrix.monotonicity.reversal",
            "Under the declared criterion {pairs} cell pairs rate the higher risk lower: level {low_level} against "
            "level {high_level}. For example, every risk in {low} (from {low_risk}) is at least every risk in "
            "{high} (up to {high_risk}).",
            {"pairs": len(pairs), "low": _cell_name(config, low), "high": _cell_name(config, high),
             "low_level": config.levels[low_level].label, "high_level": config.levels[high_level].label,
             "low_risk": _describe_risk(config, scale, risks[low].lower),
             "high_risk": _describe_risk(config, scale, risks[high].upper)})))

    return findings or [_passed("monotonicity", "No cell is rated below a cell with lower risk.")]


def _weak_consistency(config: RiskMatrixConfig, risks: dict[Cell, CellRisk], scale: Any,
                      bottom: int, top: int) -> list[Finding]:
    if bottom == top:
        return [_passed("weak_consistency", "The grid uses one level, so no bottom risk can exceed a top risk.")]

    bottom_cells = [cell for cell in risks if config.grid[cell[0]][cell[1]] == bottom]
    top_cells = [cell for cell in risks if config.grid[cell[0]][cell[1]] == top]
    largest_bottom = max(risks[cell].upper for cell in bottom_cells)
    smallest_top = min(risks[cell].lower for cell in top_cells)
    params = {"bottom": config.levels[bottom].label, "top": config.levels[top].label,
              "largest_bottom": _describe_risk(config, scale, largest_bottom),
              "smallest_top": _describe_risk(config, scale, smallest_top)}
    if largest_bottom <= smallest_top:
        return [_passed("weak_consistency",
                        "The largest risk at level {bottom} ({largest_bottom}) is at most the smallest risk at "
                        "level {top} ({smallest_top}).", **params)]

    involved = [cell for cell in bottom_cells if risks[cell].upper > smallest_top]
    involved += [cell for cell in top_cells if risks[cell].lower < largest_bottom]
    return [Finding("weak_consistency", "fail", tuple(sorted(involved)), Notice(
        "risk_matrix.weak_consistency.overlap",
        "Some risks at level {bottom} (up to {largest_bottom}) exceed risks at level {top} (from {smallest_top}) "
        "under the declared criterion; cells involved: {cells}.",
        {**params, "cells": _cells_text(config, involved)}))]


def _rising_neighbours(cell: Cell, rows: int, columns: int, *, likelihood_only: bool) -> list[Cell]:
    i, j = cell
    candidates = [(i + 1, j)] if likelihood_only else [(i + 1, j), (i, j + 1), (i + 1, j + 1)]
    return [(row, column) for row, column in candidates if row < rows and column < columns]


def _betweenness(config: RiskMatrixConfig, severity_first: bool, bottom: int, top: int) -> list[Finding]:
    grid = config.grid
    rows, columns = len(config.likelihood), len(config.consequence)
    findings = []

    for i in range(rows):
        for j in range(columns):
            for neighbour in _rising_neighbours((i, j), rows, columns, likelihood_only=severity_first):
                low, high = grid[i][j], grid[neighbour[0]][neighbour[1]]
                if high - low <= 1:
                    continue
                params = {"low": _cell_name(config, (i, j)), "high": _cell_name(config, neighbour),
                          "low_level": config.levels[low].label, "high_level": config.levels[high].label}
                if (low, high) == (bottom, top):
                    findings.append(Finding("betweenness", "fail", ((i, j), neighbour), Notice(
                        "risk_matrix.betweenness.touch",
                        "Cell {low} (level {low_level}) touches cell {high} (level {high_level}) with no "
                        "intermediate level between them.", params)))
                else:
                    findings.append(Finding("betweenness", "warning", ((i, j), neighbour), Notice(
                        "risk_matrix.betweenness.jump",
                        "Neighbouring cells {low} (level {low_level}) and {high} (level {high_level}) skip at "
                        "least one level.", params)))

    return findings or [_passed("betweenness", "Every rising path from the lowest to the highest level "
                                               "passes through an intermediate level.")]


def _consistent_coloring(config: RiskMatrixConfig, risks: dict[Cell, CellRisk], scale: Any,
                         bottom: int, top: int) -> list[Finding]:
    if bottom == top:
        return [_passed("consistent_coloring", "The grid uses one level, so its coloring is consistent.")]

    level = {cell: config.grid[cell[0]][cell[1]] for cell in risks}
    bottom_risks = [risks[cell] for cell in risks if level[cell] == bottom]
    top_risks = [risks[cell] for cell in risks if level[cell] == top]
    bottom_upper = max(risk.upper for risk in bottom_risks)
    bottom_lower = max(risk.lower for risk in bottom_risks)
    top_lower = min(risk.lower for risk in top_risks)
    top_upper = min(risk.upper for risk in top_risks)

    findings = []
    for cell in sorted(risks):
        risk = risks[cell]
        params = {"cell": _cell_name(config, cell), "level": config.levels[level[cell]].label,
                  "bottom": config.levels[bottom].label, "top": config.levels[top].label}
        if level[cell] != bottom and risk.upper <= top_lower and risk.lower <= bottom_lower:
            findings.append(Finding("consistent_coloring", "warning", (cell,), Notice(
                "risk_matrix.consistent_coloring.should_be_bottom",
                "Cell {cell} has level {level}, but its risks lie wholly below level {top} and reach as low as "
                "level {bottom}'s, so the criterion calls for level {bottom}.", params)))
        if level[cell] != top and risk.lower >= bottom_upper and risk.upper >= top_upper:
            findings.append(Finding("consistent_coloring", "warning", (cell,), Notice(
                "risk_matrix.consistent_coloring.should_be_top",
                "Cell {cell} has level {level}, but its risks lie wholly above level {bottom} and reach as high as "
                "level {top}'s, so the criterion calls for level {top}.", params)))

    return findings or [_passed("consistent_coloring", "Intermediate levels sit only between the lowest and "
                                                       "the highest level.")]


def _range_compression(config: RiskMatrixConfig, scale: Any, risks: dict[Cell, CellRisk],
                       threshold: Fraction) -> list[Finding]:
    # Ratios need a ratio scale, which the lexicographic criterion lacks, so severity-first
    # matrices are measured on expected loss p·c.
    measured_on = config.criterion
    if not isinstance(scale, RiskScale):
        scale = RiskScale(config)
        risks = {cell: scale.cell(*cell) for cell in risks}
        measured_on = "expected_loss"

    findings = []
    for index, level in enumerate(config.levels):
        cells = [cell for cell in risks if config.grid[cell[0]][cell[1]] == index]
        # A cell touching a zero axis or the unbounded band has an infinite ratio by
        # construction, so the message counts it instead of letting it dominate the measure.
        finite = [cell for cell in cells if risks[cell].lower > 0 and risks[cell].upper != UNBOUNDED]
        if not finite:
            continue
        largest = max(risks[cell].upper for cell in finite)
        smallest = min(risks[cell].lower for cell in finite)
        if scale.ratio_exceeds(largest, smallest, threshold):
            findings.append(Finding("range_compression", "warning", tuple(finite), Notice(
                "risk_matrix.range_compression.level",
                "Level {level} gives one rating to risks from {smallest:g} to {largest:g} ({criterion}), a ratio of "
                "{ratio:.3g}, above {threshold:g}; {excluded} of its cells touch zero risk or the unbounded band "
                "and are left out of the ratio.",
                {"level": level.label, "smallest": scale.risk_value(smallest), "largest": scale.risk_value(largest),
                 "ratio": scale.ratio(largest, smallest), "threshold": float(threshold),
                 "excluded": len(cells) - len(finite), "criterion": measured_on})))

    return findings or [_passed("range_compression", "No level spans a risk ratio above {threshold:g}.",
                                threshold=float(threshold))]
