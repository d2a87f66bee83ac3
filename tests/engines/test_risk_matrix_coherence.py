"""Coherence checks of risk matrices, against values worked out by hand."""

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from riskapp.engines.problem import Band, RiskLevel, RiskMatrixConfig
from riskapp.engines.risk_matrix import CHECKS, DEFAULT_MATRIX, check_coherence

THREE_LEVELS = (RiskLevel("Green", "#2e7d32"), RiskLevel("Yellow", "#f9a825"), RiskLevel("Red", "#c62828"))


def bands(prefix: str, uppers: list[str | None]) -> tuple[Band, ...]:
    return tuple(Band(f"{prefix}{index}", None if upper is None else Fraction(upper))
                 for index, upper in enumerate(uppers))


def matrix(likelihood: list[str | None], consequence: list[str | None], grid: list[list[int]],
           **options) -> RiskMatrixConfig:
    return RiskMatrixConfig(
        likelihood=bands("L", likelihood),
        consequence=bands("C", consequence),
        levels=options.pop("levels", THREE_LEVELS),
        grid=tuple(tuple(row) for row in grid),
        **options,
    )


def equal_thirds(grid, **options) -> RiskMatrixConfig:
    """Cox's matrix: three equal bands on [0, 1] for both axes."""
    return matrix(["1/3", "2/3", "1"], ["1/3", "2/3", "1"], grid, **options)


def statuses(findings) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for finding in findings:
        result.setdefault(finding.check, set()).add(finding.status)
    return result


def findings_of(findings, check: str, status: str | None = None):
    return [f for f in findings if f.check == check and (status is None or f.status == status)]


def test_cox_three_by_three_unique_grid():
    passing = []
    for values in itertools.product(range(3), repeat=9):
        if len(set(values)) < 3:
            continue
        grid = [list(values[row * 3:row * 3 + 3]) for row in range(3)]
        findings = check_coherence(equal_thirds(grid))
        if all(finding.status == "pass" for finding in findings):
            passing.append(grid)

    # Green on the lowest row and column, red only in the top-right cell, yellow elsewhere.
    assert passing == [[[0, 0, 0], [0, 1, 1], [0, 1, 2]]]


def test_cox_grid_reports_every_check():
    findings = check_coherence(equal_thirds([[0, 0, 0], [0, 1, 1], [0, 1, 2]]))

    assert [f.check for f in findings] == list(CHECKS)
    assert all(f.cells == () for f in findings)
    weak = findings_of(findings, "weak_consistency")[0]
    # Largest green risk (1/3)·1 = 1/3 against the smallest red risk (2/3)·(2/3) = 4/9.
    assert weak.notice.params["largest_bottom"] == f"{1 / 3:g}"
    assert weak.notice.params["smallest_top"] == f"{4 / 9:g}"


def test_cox_neighbours_each_fail_one_check():
    grids = {
        # Green touches red at the rising corner (1, 1)–(2, 2).
        "betweenness": [[0, 0, 0], [0, 0, 1], [0, 1, 2]],
        # Rows coloured by likelihood alone: red (2, 0) spans [0, 1/3], green (0, 2) reaches 1/3.
        "weak_consistency": [[0, 0, 0], [1, 1, 1], [2, 2, 2]],
        # Yellow (2, 0) spans [0, 1/3]: wholly below red's 4/9 and reaching green's floor 0.
        "consistent_coloring": [[0, 0, 0], [0, 1, 1], [1, 1, 2]],
    }
    for check, grid in grids.items():
        failing = {f.check for f in check_coherence(equal_thirds(grid)) if f.status != "pass"}
        assert failing == {check}, grid


def test_weak_consistency_failure_cells():
    findings = check_coherence(equal_thirds([[0, 0, 0], [1, 1, 1], [2, 2, 2]]))

    [weak] = findings_of(findings, "weak_consistency")
    assert weak.status == "fail"
    # Green risks reach 1/3 and all lie above 0; red starts at 0 in column 0 and at
    # 2/3·1/3 = 2/9 in column 1, both below 1/3.
    assert weak.cells == ((0, 0), (0, 1), (0, 2), (2, 0), (2, 1))


def test_severity_first_grid_both_criteria():
    grid = [[0, 1, 2], [0, 1, 2], [1, 1, 2]]

    severity = check_coherence(equal_thirds(grid, criterion="severity_first"))
    expected_loss = check_coherence(equal_thirds(grid, criterion="expected_loss"))

    assert all(f.status == "pass" for f in severity)
    [weak] = findings_of(expected_loss, "weak_consistency")
    assert weak.status == "fail"
    # Green (0, 0) and (1, 0) reach 1/9 and 2/9; red (0, 2) starts at probability 0, while
    # red (1, 2) starts at exactly 2/9, a tie that does not count.
    assert weak.cells == ((0, 0), (0, 2), (1, 0))


def test_severity_first_betweenness_likelihood_only():
    # Green (0, 1) touches red (0, 2) across a consequence edge, which severity-first allows,
    # and red (1, 0) across a likelihood edge, which it does not.
    grid = [[0, 0, 2], [2, 2, 2], [2, 2, 2]]

    findings = check_coherence(equal_thirds(grid, criterion="severity_first"))

    failures = findings_of(findings, "betweenness", "fail")
    assert [f.cells for f in failures] == [((0, 0), (1, 0)), ((0, 1), (1, 1))]


def test_power_criterion_breaks_cox_grid():
    findings = check_coherence(equal_thirds([[0, 0, 0], [0, 1, 1], [0, 1, 2]], criterion="power",
                                            power=Fraction(2)))

    [weak] = findings_of(findings, "weak_consistency")
    # Under p·c²: green (0, 2) reaches (1/3)·1² = 9/27, red (2, 2) starts at (2/3)·(2/3)² = 8/27.
    assert weak.status == "fail"
    assert weak.cells == ((0, 2), (2, 2))
    [compression] = findings_of(findings, "range_compression")
    # Yellow spans (1/3)·(1/3)² = 1/27 in (1, 1) up to (2/3)·1² = 18/27 in (1, 2).
    assert compression.status == "warning"
    assert compression.notice.params["ratio"] == pytest.approx(18)


def test_fractional_power_compared_exactly():
    # Under p·c^(3/2) the corners (1/16, 1) and (1/2, 1/4) both carry risk 1/16 = (1/2)·(1/8).
    config = matrix(["1/16", "1/2", "1"], ["1/4", "1", "4"], [[0, 0, 1], [0, 1, 1], [1, 2, 2]],
                    criterion="power", power=Fraction(3, 2))

    [weak] = findings_of(check_coherence(config), "weak_consistency")

    # Green (0, 1) reaches (1/16)·1 and red (2, 1) starts at (1/2)·(1/4)^(3/2): a tie.
    assert weak.status == "pass"
    assert weak.notice.params["largest_bottom"] == "0.0625"
    assert weak.notice.params["smallest_top"] == "0.0625"


def test_weak_consistency_decimal_edge_tie():
    # The largest green risk 0.1·3 equals the smallest red risk 0.3·1 exactly; binary floats
    # would put 0.1·3 above 0.3.
    config = matrix(["0.1", "0.3", "1"], ["1", "3", "10"], [[0, 0, 1], [0, 1, 1], [1, 2, 2]])

    [weak] = findings_of(check_coherence(config), "weak_consistency")

    assert 0.1 * 3 > 0.3
    assert weak.status == "pass"
    assert weak.notice.params["largest_bottom"] == weak.notice.params["smallest_top"] == "0.3"


def test_unbounded_band_green_fails():
    # Green in the unbounded consequence band has unbounded risk at any positive likelihood.
    config = matrix(["1/2", "1"], ["1", None], [[0, 0], [1, 2]])

    [weak] = findings_of(check_coherence(config), "weak_consistency")

    assert weak.status == "fail"
    assert weak.cells == ((0, 1), (1, 1))
    assert weak.notice.params["largest_bottom"] == "unbounded"
    assert weak.notice.params["smallest_top"] == "0.5"


def test_zero_likelihood_row_top_level():
    # Red in the lowest likelihood row starts at risk 0, below every green risk.
    config = matrix(["1/2", "1"], ["1", "2"], [[0, 2], [1, 2]])

    [weak] = findings_of(check_coherence(config), "weak_consistency")

    assert weak.status == "fail"
    assert weak.cells == ((0, 0), (0, 1))
    assert weak.notice.params["smallest_top"] == "0"


def test_monotonicity_dominated_cell_fails():
    config = equal_thirds([[0, 1, 2], [0, 0, 2], [1, 1, 2]])

    failures = findings_of(check_coherence(config), "monotonicity", "fail")

    assert [f.cells for f in failures] == [((0, 1), (1, 1))]


def test_monotonicity_reversal_across_diagonal():
    # Cell (3, 1) spans [0.5·1, 1·10] and is rated below cell (0, 2), which spans
    # [0, 0.01·20] and dominates nothing.
    config = matrix(["0.01", "0.1", "0.5", "1"], ["1", "10", "20"], [[0, 0, 1]] * 4)

    findings = check_coherence(config)

    reversals = findings_of(findings, "monotonicity", "warning")
    assert [f.cells for f in reversals] == [((0, 2), (3, 1))]
    assert reversals[0].notice.params["pairs"] == 1
    assert reversals[0].notice.params["low_risk"] == "0.5"
    assert reversals[0].notice.params["high_risk"] == "0.2"
    assert findings_of(findings, "monotonicity", "fail") == []


def test_reversals_grouped_by_level_pair():
    # Under severity-first, (Rare, Moderate) at Low outranks (Likely, Minor) and (Almost certain,
    # Minor) at Medium, and (Rare, Major) at Medium outranks (Almost certain, Moderate) at High.
    config = replace(DEFAULT_MATRIX, criterion="severity_first")

    reversals = findings_of(check_coherence(config), "monotonicity", "warning")

    by_levels = {(f.notice.params["low_level"], f.notice.params["high_level"]): f for f in reversals}
    assert set(by_levels) == {("Low", "Medium"), ("Medium", "High"), ("Medium", "Extreme"), ("High", "Extreme")}
    assert by_levels["Low", "Medium"].notice.params["pairs"] == 2
    assert by_levels["Low", "Medium"].cells == ((0, 1), (3, 0), (4, 0))
    assert sum(f.notice.params["pairs"] for f in reversals) == 16


def test_default_matrix_check_results():
    findings = check_coherence(DEFAULT_MATRIX)

    assert statuses(findings) == {
        "structure": {"pass"},
        "monotonicity": {"pass"},
        "weak_consistency": {"pass"},
        "betweenness": {"warning"},
        "consistent_coloring": {"warning"},
        "range_compression": {"warning"},
    }

    # Low reaches 0.3·1 in (Possible, Minor); Extreme starts at 0.7·10 in (Almost certain, Major).
    [weak] = findings_of(findings, "weak_consistency")
    assert weak.notice.params["largest_bottom"] == "0.3"
    assert weak.notice.params["smallest_top"] == "7"

    # Medium at (Likely, Moderate) touches Extreme at (Almost certain, Major).
    assert [f.cells for f in findings_of(findings, "betweenness")] == [((3, 1), (4, 2))]

    # Should be Low: wholly below Extreme's 7 and reaching Low's floor 0: (Rare, Major) up to 1,
    # (Likely, Minor) up to 0.7, (Almost certain, Minor) up to 1. Should be Extreme: wholly
    # above Low's 0.3 and reaching Extreme's smallest supremum 100: (Unlikely, Severe) [1, 100],
    # (Unlikely, Catastrophic) [10, ∞), (Possible, Severe) [10, 300].
    coloring = findings_of(findings, "consistent_coloring")
    should_be = {f.cells[0]: f.notice.code.rsplit("_", 1)[1] for f in coloring}
    assert should_be == {(0, 2): "bottom", (3, 0): "bottom", (4, 0): "bottom",
                         (1, 3): "top", (1, 4): "top", (2, 3): "top"}

    compression = {f.notice.params["level"]: f for f in findings_of(findings, "range_compression")}
    assert set(compression) == {"Medium", "High", "Extreme"}
    # Medium: 0.01 in (Unlikely, Moderate) to 10 in (Unlikely, Major).
    assert compression["Medium"].notice.params["ratio"] == pytest.approx(1000)
    assert compression["Medium"].cells == ((1, 1), (1, 2), (2, 1), (3, 1))
    assert compression["Medium"].notice.params["excluded"] == 4
    # High: 0.7 in (Almost certain, Moderate) to 300 in (Possible, Severe).
    assert compression["High"].notice.params["ratio"] == pytest.approx(300 / 0.7)
    assert compression["High"].notice.params["excluded"] == 2
    # Extreme: 7 in (Almost certain, Major) to 1000 in (Almost certain, Severe).
    assert compression["Extreme"].notice.params["ratio"] == pytest.approx(1000 / 7)
    assert compression["Extreme"].cells == ((3, 3), (4, 2), (4, 3))


def test_compression_threshold_option():
    findings = check_coherence(DEFAULT_MATRIX, compression_threshold=Fraction(1000))

    # Medium's ratio is exactly 1000, which is not above the threshold.
    compressed = {f.notice.params.get("level") for f in findings_of(findings, "range_compression", "warning")}
    assert compressed == set()

    with pytest.raises(ValueError, match="compression_threshold"):
        check_coherence(DEFAULT_MATRIX, compression_threshold=Fraction(1))


def test_level_jump_warning_many_levels():
    levels = tuple(RiskLevel(f"Level {index}", "#000000") for index in range(4))
    config = equal_thirds([[0, 1, 2], [1, 2, 3], [2, 3, 3]], levels=levels)

    jumps = findings_of(check_coherence(config), "betweenness")

    # Each diagonal step from level i to i + 2, none from the lowest to the highest level.
    assert {f.cells for f in jumps} == {((0, 0), (1, 1)), ((0, 1), (1, 2)), ((1, 0), (2, 1))}
    assert {f.status for f in jumps} == {"warning"}


def test_transposed_matrix_same_findings():
    likelihood, consequence = ["1/2", "1"], ["1/3", "2/3", "1"]
    grid = [[0, 1, 2], [0, 2, 2]]
    transposed_grid = [list(column) for column in zip(*grid, strict=True)]

    original = check_coherence(matrix(likelihood, consequence, grid))
    transposed = check_coherence(matrix(consequence, likelihood, transposed_grid))

    def summary(findings, swap):
        return sorted((f.check, f.status, tuple(sorted((j, i) if swap else (i, j) for i, j in f.cells)))
                      for f in findings)

    assert summary(original, swap=False) == summary(transposed, swap=True)
    assert any(status != "pass" for _, status, _ in summary(original, swap=False))


@pytest.mark.parametrize(("rows", "columns", "single_axes"), [
    (1, 1, {"likelihood", "consequence"}),
    (1, 5, {"likelihood"}),
    (7, 2, set()),
    (10, 10, set()),
])
def test_structure_warning_single_band(rows, columns, single_axes):
    likelihood = [str(Fraction(index + 1, rows)) for index in range(rows)]
    consequence = [str(10 ** index) for index in range(columns - 1)] + [None]
    grid = [[min(2, (i * 3 // rows + j * 3 // columns + 1) // 2) for j in range(columns)] for i in range(rows)]

    findings = check_coherence(matrix(likelihood, consequence, grid))

    single = {f.notice.params["axis"] for f in findings if f.notice.code == "risk_matrix.structure.single_band"}
    assert single == single_axes
    assert {f.check for f in findings} == set(CHECKS)
    assert all(0 <= i < rows and 0 <= j < columns for f in findings for i, j in f.cells)


def test_unused_and_single_level_warnings():
    config = matrix(["1"], ["1"], [[1]])

    codes = [f.notice.code for f in check_coherence(config) if f.check == "structure"]

    assert codes == ["risk_matrix.structure.single_band", "risk_matrix.structure.single_band",
                     "risk_matrix.structure.unused_level", "risk_matrix.structure.unused_level",
                     "risk_matrix.structure.single_level"]


def test_invalid_grid_names_field():
    with pytest.raises(ValueError, match=r"risk_matrix\.grid\[1\]\[0\]: 3 is not a level index below 3"):
        check_coherence(matrix(["1/2", "1"], ["1"], [[0], [3]]))
    with pytest.raises(ValueError, match=r"risk_matrix\.grid: expected 2 rows of 1 cells"):
        check_coherence(matrix(["1/2", "1"], ["1"], [[0, 1], [1, 2]]))


def random_edges(rng, count: int, top: int) -> list[str]:
    """Strictly increasing rational band edges ending at ``top``, with small denominators."""
    inner = sorted({Fraction(int(n), 10) for n in rng.integers(1, 10 * top, size=count - 1)})
    while len(inner) < count - 1:
        inner = sorted(set(inner) | {Fraction(int(rng.integers(1, 10 * top)), 10)})
    return [str(edge) for edge in inner] + [str(top)]


def random_monotone_grid(rng, rows: int, columns: int, levels: int) -> list[list[int]]:
    """A grid whose level never decreases along either axis, from random increments."""
    grid = [[0] * columns for _ in range(rows)]
    for i in range(rows):
        for j in range(columns):
            floor = max(grid[i - 1][j] if i else 0, grid[i][j - 1] if j else 0)
            grid[i][j] = min(levels - 1, floor + int(rng.integers(0, 2)))
    return grid


def test_transposition_random_matrices(rng):
    for _ in range(50):
        rows, columns = (int(n) for n in rng.integers(1, 6, size=2))
        likelihood, consequence = random_edges(rng, rows, 1), random_edges(rng, columns, 1)
        grid = [[int(level) for level in row] for row in rng.integers(0, 3, size=(rows, columns))]
        transposed_grid = [list(column) for column in zip(*grid, strict=True)]

        original = check_coherence(matrix(likelihood, consequence, grid))
        transposed = check_coherence(matrix(consequence, likelihood, transposed_grid))

        # p·c is symmetric, so swapping the axes only swaps the cell coordinates.
        assert sorted((f.check, f.status, tuple(sorted(f.cells))) for f in original) == sorted(
            (f.check, f.status, tuple(sorted((j, i) for i, j in f.cells))) for f in transposed), grid


def sampled_risks(grid: list[list[int]], level: int, p_edges: list[float], c_edges: list[float]) -> np.ndarray:
    """Risks p·c at points of every cell of one level, from near its lower corner to near its upper one."""
    fractions_of_width = np.array([1e-7, 0.25, 0.5, 0.75, 1 - 1e-7])
    risks = []
    for i, row in enumerate(grid):
        for j, cell_level in enumerate(row):
            if cell_level == level:
                p = p_edges[i] + fractions_of_width * (p_edges[i + 1] - p_edges[i])
                c = c_edges[j] + fractions_of_width * (c_edges[j + 1] - c_edges[j])
                risks.append(np.outer(p, c).ravel())
    return np.concatenate(risks)


def test_weak_consistency_sampled_points(rng):
    # Interior points 1e-7 of a cell's width from its corners come within a relative 1e-6 of
    # its infimum and supremum risk, which checks the exact corner arithmetic independently.
    # Band edges in tenths keep every gap that is not a tie far above 1e-6.
    for _ in range(100):
        rows, columns = (int(n) for n in rng.integers(2, 6, size=2))
        likelihood, consequence = random_edges(rng, rows, 1), random_edges(rng, columns, 10)
        p_edges = [0.0] + [float(Fraction(edge)) for edge in likelihood]
        c_edges = [0.0] + [float(Fraction(edge)) for edge in consequence]
        if rng.random() < 0.5:
            grid = random_monotone_grid(rng, rows, columns, 3)
        else:
            # Levels from thresholds on the risk at each cell's centre: often weakly consistent.
            thresholds = np.sort(rng.uniform(0, 5, size=2))
            centre_risks = np.outer(np.diff(p_edges) / 2 + p_edges[:-1], np.diff(c_edges) / 2 + c_edges[:-1])
            grid = np.searchsorted(thresholds, centre_risks).tolist()
        if len({level for row in grid for level in row}) < 2:
            continue

        used = sorted({level for row in grid for level in row})
        largest_bottom = sampled_risks(grid, used[0], p_edges, c_edges).max()
        smallest_top = sampled_risks(grid, used[-1], p_edges, c_edges).min()

        [weak] = findings_of(check_coherence(matrix(likelihood, consequence, grid)), "weak_consistency")
        if weak.status == "pass":
            assert largest_bottom < smallest_top, grid
        else:
            assert largest_bottom > smallest_top, grid
