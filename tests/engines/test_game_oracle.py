"""Extreme Nash equilibria cross-checked against Gambit's exact ``enummixed`` on random games."""

from fractions import Fraction

import numpy as np
import pygambit
import pytest

from riskapp.engines.game import nash_equilibria


def gambit_extreme_equilibria(a: np.ndarray, b: np.ndarray) -> set:
    """Every extreme equilibrium by Gambit's exact enumeration, deduplicated."""
    game = pygambit.Game.from_arrays(
        [[Fraction(int(v)) for v in row] for row in a], [[Fraction(int(v)) for v in row] for row in b]
    )
    row_player, column_player = game.players
    found = set()
    for profile in pygambit.nash.enummixed_solve(game, rational=True).equilibria:
        x = tuple(Fraction(profile[s]) for s in row_player.strategies)
        y = tuple(Fraction(profile[s]) for s in column_player.strategies)
        found.add((x, y))
    return found


def random_games(seed: int, count: int, low: int, high: int, max_size: int):
    generator = np.random.default_rng(seed)
    for _ in range(count):
        m, n = generator.integers(1, max_size + 1, size=2)
        yield generator.integers(low, high + 1, size=(m, n)), generator.integers(low, high + 1, size=(m, n))


@pytest.mark.parametrize(("seed", "low", "high"), [(1, -3, 3), (2, -1, 1), (3, -50, 49)])
def test_exact_enumeration_matches_gambit(seed, low, high):
    # Payoffs in {−1, 0, 1} or {−3, …, 3} make most of these games degenerate.
    for a, b in random_games(seed, 150, low, high, max_size=4):
        ours = {(e.x, e.y) for e in nash_equilibria(a.tolist(), b.tolist(), exact=True).equilibria}
        assert ours == gambit_extreme_equilibria(a, b), (a.tolist(), b.tolist())


def test_float_enumeration_matches_gambit():
    for a, b in random_games(4, 150, -3, 3, max_size=4):
        ours = np.array([np.r_[e.x, e.y] for e in nash_equilibria(a, b).equilibria])
        expected = np.array([[*x, *y] for x, y in gambit_extreme_equilibria(a, b)], dtype=float)
        assert ours.shape == expected.shape, (a.tolist(), b.tolist())
        # One-to-one within 1e-9: every profile of ours is close to exactly one of Gambit's.
        close = np.all(np.abs(ours[:, np.newaxis, :] - expected[np.newaxis, :, :]) <= 1e-9, axis=2)
        assert np.all(close.sum(axis=1) == 1), (a.tolist(), b.tolist())
        assert np.all(close.sum(axis=0) == 1), (a.tolist(), b.tolist())


def test_six_by_six_games_match_gambit():
    for a, b in random_games(5, 6, -2, 2, max_size=6):
        ours = {(e.x, e.y) for e in nash_equilibria(a.tolist(), b.tolist(), exact=True).equilibria}
        assert ours == gambit_extreme_equilibria(a, b), (a.tolist(), b.tolist())


def test_enumeration_permutation_and_swap():
    # Relabelling strategies permutes every equilibrium, and swapping the players transposes it.
    generator = np.random.default_rng(6)
    for a, b in random_games(7, 60, -3, 3, max_size=4):
        rows, columns = generator.permutation(a.shape[0]), generator.permutation(a.shape[1])
        base = {(e.x, e.y) for e in nash_equilibria(a.tolist(), b.tolist(), exact=True).equilibria}
        permuted = nash_equilibria(a[rows][:, columns].tolist(), b[rows][:, columns].tolist(), exact=True)
        expected = {(tuple(x[i] for i in rows), tuple(y[j] for j in columns)) for x, y in base}
        assert {(e.x, e.y) for e in permuted.equilibria} == expected
        swapped = nash_equilibria(b.T.tolist(), a.T.tolist(), exact=True)
        assert {(e.y, e.x) for e in swapped.equilibria} == base


def test_enumeration_affine_invariance():
    # A positive affine change of either player's payoffs leaves the equilibria unchanged.
    for a, b in random_games(8, 60, -3, 3, max_size=4):
        base = {(e.x, e.y) for e in nash_equilibria(a.tolist(), b.tolist(), exact=True).equilibria}
        changed = nash_equilibria((3 * a + 7).tolist(), (b / 4 - 2).tolist(), exact=True)
        assert {(e.x, e.y) for e in changed.equilibria} == base


def test_exact_rebuild_within_enumeration():
    # With enumeration switched off, exact mode rebuilds each Lemke–Howson (or, for 1×1 and other
    # constant-sum games, minimax LP) profile in rationals; every one must be an extreme
    # equilibrium of the complete exact list.
    for a, b in random_games(9, 40, -50, 49, max_size=5):
        complete = {(e.x, e.y) for e in nash_equilibria(a.tolist(), b.tolist(), exact=True).equilibria}
        found = nash_equilibria(a.tolist(), b.tolist(), exact=True, max_support_enumeration=0)
        assert found.method in ("lemke_howson", "minimax_lp")
        assert found.equilibria
        for equilibrium in found.equilibria:
            assert isinstance(equilibrium.x[0], Fraction)
            assert (equilibrium.x, equilibrium.y) in complete


def test_exact_minimax_value_matches_enumeration():
    for a, _ in random_games(10, 40, -50, 49, max_size=5):
        enumerated = nash_equilibria(a.tolist(), (-a).tolist(), exact=True)
        solved = nash_equilibria(a.tolist(), (-a).tolist(), exact=True, max_support_enumeration=0)
        assert solved.method == "minimax_lp"
        assert solved.zero_sum_value == enumerated.zero_sum_value
