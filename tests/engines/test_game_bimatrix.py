"""Bimatrix solvers of the game engine on games with known exact equilibria and values."""

from fractions import Fraction as F

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from riskapp.engines.game import (
    PayoffError,
    is_equilibrium,
    lemke_howson,
    lemke_howson_all_labels,
    nash_equilibria,
    strong_stackelberg,
    zero_sum_value,
)


def profiles(result):
    return {(e.x, e.y) for e in result.equilibria}


def test_matching_pennies_unique_mixed():
    a = [[1, -1], [-1, 1]]
    result = nash_equilibria(a, np.negative(a).tolist(), exact=True)
    assert profiles(result) == {((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)))}
    assert result.zero_sum_value == 0
    assert result.complete


def test_rock_paper_scissors_uniform():
    a = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    result = nash_equilibria(a, np.negative(a).tolist(), exact=True)
    third = (F(1, 3),) * 3
    assert profiles(result) == {(third, third)}
    assert result.equilibria[0].row_payoff == 0


def test_battle_of_sexes_three_equilibria():
    result = nash_equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]], exact=True)
    expected = {
        ((F(1), F(0)), (F(1), F(0))),
        ((F(0), F(1)), (F(0), F(1))),
        ((F(3, 5), F(2, 5)), (F(2, 5), F(3, 5))),
    }
    assert profiles(result) == expected
    payoffs = {(e.row_payoff, e.column_payoff) for e in result.equilibria}
    assert payoffs == {(3, 2), (2, 3), (F(6, 5), F(6, 5))}
    assert result.zero_sum_value is None


def test_prisoners_dilemma_defect_defect():
    result = nash_equilibria([[3, 0], [5, 1]], [[3, 5], [0, 1]], exact=True)
    assert profiles(result) == {((F(0), F(1)), (F(0), F(1)))}
    assert (result.equilibria[0].row_payoff, result.equilibria[0].column_payoff) == (1, 1)


def test_coordination_three_by_three_seven():
    identity = np.eye(3, dtype=int).tolist()
    result = nash_equilibria(identity, identity, exact=True)
    assert len(result.equilibria) == 7
    assert all(e.x == e.y for e in result.equilibria)
    assert ((F(1, 3),) * 3, (F(1, 3),) * 3) in profiles(result)


def test_degenerate_continuum_extreme_points():
    # Row 1 of B is a tie, so against x = (1, 0, 0) every y with y_2 <= 1/3 is a best
    # response of the row player: a segment of equilibria, reported by its two end points.
    a = [[3, 3], [2, 5], [0, 6]]
    b = [[3, 3], [2, 6], [3, 1]]
    result = nash_equilibria(a, b, exact=True)
    expected = {
        ((F(1), F(0), F(0)), (F(1), F(0))),
        ((F(1), F(0), F(0)), (F(2, 3), F(1, 3))),
        ((F(0), F(1, 3), F(2, 3)), (F(1, 3), F(2, 3))),
    }
    assert profiles(result) == expected
    assert result.degenerate is True


def test_shapley_game_inaccessible_equilibria():
    a = [[0, 3, 0], [2, 2, 0], [3, 0, 1]]
    b = [[0, 2, 3], [3, 2, 0], [0, 0, 1]]
    result = nash_equilibria(a, b, exact=True)
    expected = {
        ((F(1, 3), F(2, 3), F(0)), (F(1, 3), F(2, 3), F(0))),
        ((F(1, 6), F(1, 3), F(1, 2)), (F(1, 6), F(1, 3), F(1, 2))),
        ((F(0), F(0), F(1)), (F(0), F(0), F(1))),
    }
    assert profiles(result) == expected


def test_float_enumeration_matches_exact():
    a = [[3, 3], [2, 5], [0, 6]]
    b = [[3, 2], [2, 6], [3, 1]]
    exact = sorted(profiles(nash_equilibria(a, b, exact=True)))
    floats = sorted(profiles(nash_equilibria(a, b)))
    assert len(floats) == len(exact) == 3
    for (x, y), (x_exact, y_exact) in zip(floats, exact, strict=True):
        np.testing.assert_allclose(x, [float(v) for v in x_exact], atol=1e-12)
        np.testing.assert_allclose(y, [float(v) for v in y_exact], atol=1e-12)


def test_zero_sum_value_two_by_two():
    # Closed form for a 2×2 game without a saddle point: v = (ad − bc) / (a + d − b − c).
    solution = zero_sum_value([[3, -1], [-2, 1]])
    assert solution.value == pytest.approx(1 / 7, abs=1e-12)
    np.testing.assert_allclose(solution.x, [3 / 7, 4 / 7], atol=1e-9)
    np.testing.assert_allclose(solution.y, [2 / 7, 5 / 7], atol=1e-9)
    assert solution.exploitability <= 1e-9


def test_zero_sum_value_saddle_point():
    solution = zero_sum_value([[4, 2, 5], [1, 0, 3]])
    assert solution.value == pytest.approx(2.0)
    np.testing.assert_allclose(solution.x, [1, 0], atol=1e-12)
    np.testing.assert_allclose(solution.y, [0, 1, 0], atol=1e-12)


def test_zero_sum_lp_matches_enumeration(rng):
    for _ in range(20):
        a = rng.integers(-5, 6, size=(4, 5))
        value = zero_sum_value(a).value
        exact = nash_equilibria(a.tolist(), (-a).tolist(), exact=True)
        assert value == pytest.approx(float(exact.zero_sum_value), abs=1e-9)
        assert all(e.row_payoff == exact.zero_sum_value for e in exact.equilibria)


def test_large_zero_sum_uses_lp(rng):
    a = rng.integers(-50, 50, size=(30, 30)).astype(float)
    result = nash_equilibria(a, -a)
    assert result.method == "minimax_lp"
    assert not result.complete
    assert result.zero_sum_value == pytest.approx(zero_sum_value(a).value)
    assert is_equilibrium(a, -a, result.equilibria[0].x, result.equilibria[0].y)


def test_commitment_conitzer_sandholm_example():
    solution = strong_stackelberg([[2, 4], [1, 3]], [[1, 0], [0, 1]])
    np.testing.assert_allclose(solution.x, [0.5, 0.5], atol=1e-9)
    assert solution.response == 1
    assert solution.best_responses == (0, 1)
    assert solution.value == pytest.approx(3.5)
    assert solution.pessimistic_value == pytest.approx(1.5)
    assert solution.follower_value == pytest.approx(0.5)


def test_commitment_tie_at_pure_strategy():
    # Column 2 is weakly dominant for the follower; at x = (1, 0) it ties with column 1.
    solution = strong_stackelberg([[3, 9], [9, 1]], [[0, 0], [1, 8]])
    np.testing.assert_allclose(solution.x, [1, 0], atol=1e-12)
    assert solution.value == pytest.approx(9.0)
    assert solution.pessimistic_value == pytest.approx(3.0)


def test_commitment_follower_indifferent_optimum():
    solution = strong_stackelberg([[2, 0, 0], [1, 0, 0]], [[0, 2, 5], [0, -1, -4]])
    np.testing.assert_allclose(solution.x, [1 / 3, 2 / 3], atol=1e-9)
    assert solution.response == 0
    assert solution.value == pytest.approx(4 / 3)
    assert solution.follower_value == pytest.approx(0.0, abs=1e-9)


def test_security_game_commitment_beats_nash():
    # Two targets, one guard. Covering target 1 with probability p makes the attacker indifferent
    # at p = 3/5 (2 − 3p = 2p − 1). Committing there and letting the attacker break the tie
    # towards target 2 gives the defender −p = −3/5; the unique Nash equilibrium has the
    # attacker mix (1/5, 4/5) and gives the defender −4/5.
    defender = [[0, -1], [-4, 0]]
    attacker = [[-1, 1], [2, -1]]
    solution = strong_stackelberg(defender, attacker)
    np.testing.assert_allclose(solution.x, [3 / 5, 2 / 5], atol=1e-9)
    assert solution.response == 1
    assert solution.value == pytest.approx(-3 / 5)
    assert solution.pessimistic_value == pytest.approx(-8 / 5)

    nash = nash_equilibria(defender, attacker, exact=True)
    assert profiles(nash) == {((F(3, 5), F(2, 5)), (F(1, 5), F(4, 5)))}
    assert nash.equilibria[0].row_payoff == F(-4, 5)
    commitment_profile = (solution.x, (0.0, 1.0))
    assert all(
        not np.allclose(np.r_[e.x, e.y], np.r_[commitment_profile[0], commitment_profile[1]]) for e in nash.equilibria
    )


def test_commitment_zero_sum_equals_minimax(rng):
    for _ in range(10):
        a = rng.integers(-9, 10, size=(5, 4)).astype(float)
        assert strong_stackelberg(a, -a).value == pytest.approx(zero_sum_value(a).value, abs=1e-9)


def test_commitment_pruned_matches_plain(rng):
    for size in (3, 8, 20):
        for _ in range(10):
            a = rng.uniform(-1, 1, size=(size, size + 2))
            b = rng.uniform(-1, 1, size=(size, size + 2))
            pruned, plain = strong_stackelberg(a, b), strong_stackelberg(a, b, prune=False)
            assert pruned.value == pytest.approx(plain.value, abs=1e-9)
            assert plain.lps_solved == size + 2


def dobss_value(a: np.ndarray, b: np.ndarray) -> float:
    """Leader value of the strong Stackelberg equilibrium by the DOBSS mixed-integer program.

    Variables ``z[i, k] = x_i·q_k`` (m·n), the follower's pure response ``q`` (n binaries) and its
    value ``v``; big-M is the follower's payoff range (Paruchuri et al., AAMAS 2008).
    """
    m, n = a.shape
    big_m = float(b.max() - b.min()) + 1.0
    size = m * n + n + 1
    z = np.arange(m * n).reshape(m, n)
    q = m * n + np.arange(n)
    v = m * n + n
    rows, lower, upper = [], [], []

    def constraint(coefficients: dict, low: float, high: float) -> None:
        row = np.zeros(size)
        for index, value in coefficients.items():
            row[index] += value
        rows.append(row)
        lower.append(low)
        upper.append(high)

    constraint({int(i): 1.0 for i in z.flat}, 1.0, 1.0)
    constraint({int(k): 1.0 for k in q}, 1.0, 1.0)
    for k in range(n):
        constraint({**{int(i): 1.0 for i in z[:, k]}, int(q[k]): -1.0}, 0.0, 0.0)
        # 0 <= v − x·B[:, k] <= (1 − q_k)·M with x_i = Σ_l z[i, l].
        coefficients = {v: 1.0}
        for i in range(m):
            for column in range(n):
                coefficients[int(z[i, column])] = -b[i, k]
        constraint(coefficients, 0.0, np.inf)
        constraint({**coefficients, int(q[k]): big_m}, -np.inf, big_m)
    objective = np.zeros(size)
    objective[: m * n] = -a.reshape(-1)
    integrality = np.zeros(size)
    integrality[q] = 1
    bounds = Bounds(np.r_[np.zeros(m * n + n), -np.inf], np.r_[np.ones(m * n + n), np.inf])
    result = milp(
        objective, constraints=LinearConstraint(np.array(rows), lower, upper), integrality=integrality, bounds=bounds
    )
    assert result.success
    return -result.fun


def test_commitment_tied_integer_games(rng):
    # Payoffs in {−2, …, 2} tie everywhere, so the optimum usually sits on a follower tie.
    for _ in range(100):
        a = rng.integers(-2, 3, size=(3, 4)).astype(float)
        b = rng.integers(-2, 3, size=(3, 4)).astype(float)
        pruned, plain = strong_stackelberg(a, b), strong_stackelberg(a, b, prune=False)
        assert pruned.value == pytest.approx(plain.value, abs=1e-9)
        assert pruned.value == pytest.approx(dobss_value(a, b), abs=1e-6)
        assert pruned.response in pruned.best_responses
        assert pruned.value == pytest.approx(np.asarray(pruned.x) @ a[:, pruned.response], abs=1e-12)
        assert pruned.pessimistic_value <= pruned.value + 1e-12
        follower = np.asarray(pruned.x) @ b
        assert follower[pruned.response] == pytest.approx(follower.max(), abs=1e-9)


def test_commitment_at_least_every_nash(rng):
    for _ in range(30):
        a = rng.integers(-3, 4, size=(3, 3))
        b = rng.integers(-3, 4, size=(3, 3))
        value = strong_stackelberg(a, b).value
        for equilibrium in nash_equilibria(a.tolist(), b.tolist(), exact=True).equilibria:
            assert value >= float(equilibrium.row_payoff) - 1e-9


def test_lemke_howson_battle_of_sexes():
    path = lemke_howson([[3, 0], [0, 2]], [[2, 0], [0, 3]], label=0)
    assert path.status == "found"
    assert path.equilibrium.x == (1.0, 0.0)
    assert path.equilibrium.y == (1.0, 0.0)


def test_lemke_howson_misses_negative_index():
    # The equilibrium ((4/5, 1/5, 0), (2/3, 1/3)) has index −1: no path from the artificial
    # equilibrium reaches it, which is why small games are enumerated instead.
    found, paths = lemke_howson_all_labels([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    assert all(path.status == "found" for path in paths)
    xs = {tuple(round(v, 9) for v in e.x) for e in found}
    assert xs == {(1.0, 0.0, 0.0), (0.0, round(1 / 3, 9), round(2 / 3, 9))}


def test_lemke_howson_pivot_cap_status():
    path = lemke_howson([[0, 3, 0], [2, 2, 0], [3, 0, 1]], [[0, 2, 3], [3, 2, 0], [0, 0, 1]], label=0, max_pivots=1)
    assert path.status == "pivot_cap"
    assert path.equilibrium is None


def test_lemke_howson_rejects_bad_label():
    with pytest.raises(ValueError, match="label 5"):
        lemke_howson([[1, 0], [0, 1]], [[1, 0], [0, 1]], label=5)


def test_large_general_sum_uses_lemke_howson(rng):
    a = rng.uniform(-1, 1, size=(12, 12))
    b = rng.uniform(-1, 1, size=(12, 12))
    result = nash_equilibria(a, b)
    assert result.method == "lemke_howson"
    assert not result.complete
    assert sum(result.path_statuses.values()) == 24
    assert len(result.equilibria) >= 1
    assert all(is_equilibrium(a, b, e.x, e.y) for e in result.equilibria)


def test_one_row_game_best_columns():
    result = nash_equilibria([[1, 2, 3]], [[5, 7, 7]], exact=True)
    assert profiles(result) == {((F(1),), (F(0), F(1), F(0))), ((F(1),), (F(0), F(0), F(1)))}


def test_one_column_game_best_rows():
    result = nash_equilibria([[1], [4], [2]], [[0], [0], [0]], exact=True)
    assert profiles(result) == {((F(0), F(1), F(0)), (F(1),))}


def test_constant_payoffs_every_vertex():
    result = nash_equilibria([[2, 2], [2, 2]], [[5, 5], [5, 5]], exact=True)
    pure = {(F(1), F(0)), (F(0), F(1))}
    assert profiles(result) == {(x, y) for x in pure for y in pure}
    assert result.zero_sum_value == 2


def test_duplicate_strategy_segment():
    # Rows 1 and 2 are copies, so every mixture of them is a best response.
    result = nash_equilibria([[1, 0], [1, 0], [0, 1]], [[2, 0], [2, 0], [0, 1]], exact=True)
    assert ((F(1), F(0), F(0)), (F(1), F(0))) in profiles(result)
    assert ((F(0), F(1), F(0)), (F(1), F(0))) in profiles(result)
    assert all(
        is_equilibrium(
            np.array([[F(1), F(0)], [F(1), F(0)], [F(0), F(1)]], dtype=object),
            np.array([[F(2), F(0)], [F(2), F(0)], [F(0), F(1)]], dtype=object),
            e.x,
            e.y,
        )
        for e in result.equilibria
    )


@pytest.mark.parametrize("scale", [1e-9, 1e9])
def test_payoff_scale_invariance(scale):
    a = np.array([[3.0, 0.0], [0.0, 2.0]])
    b = np.array([[2.0, 0.0], [0.0, 3.0]])
    base = sorted(profiles(nash_equilibria(a, b)))
    scaled = sorted(profiles(nash_equilibria(a * scale, b * scale)))
    assert len(scaled) == 3
    np.testing.assert_allclose(np.array(scaled, dtype=float), np.array(base, dtype=float), atol=1e-9)
    commitment = strong_stackelberg(a * scale, b * scale)
    assert commitment.value == pytest.approx(3 * scale)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_payoff_rejected(bad):
    with pytest.raises(PayoffError, match=r"row payoffs A\[1\]\[0\]: .* is not a finite number"):
        nash_equilibria([[1, 2], [bad, 0]], [[1, 2], [3, 0]])
    with pytest.raises(PayoffError, match="not a finite number"):
        zero_sum_value([[bad]])
    with pytest.raises(PayoffError, match=r"column payoffs B\[0\]\[1\]"):
        strong_stackelberg([[1, 2]], [[1, bad]])


def test_shape_mismatch_rejected():
    with pytest.raises(PayoffError, match=r"shape \(1, 3\) differs"):
        nash_equilibria([[1, 2]], [[1, 2, 3]])


def test_empty_matrix_rejected():
    with pytest.raises(PayoffError, match="non-empty 2-D"):
        nash_equilibria([[]], [[]])


def test_commitment_one_row_ties():
    # One leader strategy: the follower's tie between columns 1 and 2 is broken for the leader.
    solution = strong_stackelberg([[1, 5, 3]], [[2, 2, 1]])
    assert solution.x == (1.0,)
    assert solution.response == 1
    assert solution.best_responses == (0, 1)
    assert solution.value == 5.0
    assert solution.pessimistic_value == 1.0


def test_commitment_one_column_best_row():
    solution = strong_stackelberg([[1], [5], [3]], [[2], [2], [1]])
    assert solution.x == (0.0, 1.0, 0.0)
    assert solution.value == 5.0


def test_commitment_tiny_payoffs_scale():
    # Both responses give the leader 1.5e-9 at x = (1/2, 1/2), the follower's indifference point.
    solution = strong_stackelberg([[1e-9, 3e-9], [2e-9, 0]], [[1e9, 0], [0, 1e9]])
    np.testing.assert_allclose(solution.x, [0.5, 0.5], atol=1e-9)
    assert solution.value == pytest.approx(1.5e-9, rel=1e-9)
    assert solution.follower_value == pytest.approx(5e8, rel=1e-9)


def test_zero_sum_value_degenerate_shapes():
    assert zero_sum_value([[1, 5, 3]]).value == 1.0
    assert zero_sum_value([[1], [5], [3]]).value == 5.0
    constant = zero_sum_value([[2, 2], [2, 2]])
    assert constant.value == 2.0
    assert constant.exploitability == 0.0
