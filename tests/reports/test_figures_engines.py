"""The figure builders on results produced by the real engines, not by hand."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from riskapp.engines import ara
from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Band, Problem, RiskLevel, RiskMatrixConfig
from riskapp.reports.figures import (
    DEFAULT_LABELS,
    Names,
    attack_probability_figure,
    convergence_figure,
    expected_utility_figure,
)

DEFENSE_NAMES = {"asl2": "ASL-2 security", "asl3": "ASL-3 security"}
ATTACK_NAMES = {"none": "No attack", "insider": "Recruit an insider"}


@pytest.fixture(scope="module")
def ara_result() -> dict:
    """ARA on weight theft. The insider attack's gain and cost are uncertain, so both attacks get drawn."""
    matrix = RiskMatrixConfig(
        likelihood=(Band("Any", None),),
        consequence=(Band("Any", None),),
        levels=(RiskLevel("Low", "#2e7d32"),),
        grid=((0,),),
    )
    probabilities = np.array([[[1.0, 0.0], [0.7, 0.3]], [[1.0, 0.0], [0.95, 0.05]]])
    problem = Problem(
        defense_ids=tuple(DEFENSE_NAMES),
        defense_names=tuple(DEFENSE_NAMES.values()),
        defense_costs=np.array([1.0, 4.0]),
        attack_ids=tuple(ATTACK_NAMES),
        attack_names=tuple(ATTACK_NAMES.values()),
        attack_costs=(Distribution.point(0.0), Distribution("triangular", (1.0, 2.0, 5.0))),
        attempt_probabilities=(None, None),
        outcome_ids=("kept", "stolen"),
        outcome_names=("Weights kept", "Weights stolen"),
        defender_losses=np.array([0.0, 100.0]),
        attacker_gains=(Distribution.point(0.0), Distribution("uniform", (0.0, 40.0))),
        probabilities=probabilities,
        defender_risk_aversion=0.0,
        attacker_risk_aversion=Distribution.point(0.0),
        risk_matrix=matrix,
        digest="weight-theft-test",
    )
    return ara.assess(problem, seed=20261204, samples=4000, chunk_size=1000).to_dict()


@pytest.fixture
def names() -> Names:
    return Names(defenses=dict(DEFENSE_NAMES), attacks=dict(ATTACK_NAMES))


def test_engine_convergence_band_two_se(names, ara_result):
    figure = convergence_figure(ara_result, names)

    convergence = ara_result["convergence"]
    assert convergence["draws"] == [1000, 2000, 3000, 4000]
    for index, defense_id in enumerate(DEFENSE_NAMES):
        upper, lower, line = figure.data[3 * index : 3 * index + 3]
        estimate = np.array(convergence["expected_utility"][defense_id])
        standard_error = np.array(convergence["standard_error"][defense_id])

        assert_allclose(line.y, estimate, rtol=0, atol=0)
        assert_allclose(upper.y, estimate + 2 * standard_error, rtol=1e-15)
        assert_allclose(lower.y, estimate - 2 * standard_error, rtol=1e-15)
        # The last point of the running estimate is the result itself.
        assert line.y[-1] == ara_result["defenses"][defense_id]["expected_utility"]
        assert standard_error[-1] == ara_result["defenses"][defense_id]["standard_error"]


def test_engine_utilities_and_attack_bars(names, ara_result):
    utilities = expected_utility_figure(None, ara_result, names)
    attacks = attack_probability_figure(None, ara_result, names)

    (bars,) = utilities.data
    defenses = ara_result["defenses"]
    assert bars.name == DEFAULT_LABELS["ara_trace"]
    assert list(bars.y) == [defenses[d]["expected_utility"] for d in DEFENSE_NAMES]
    assert list(bars.error_y.array) == [2 * defenses[d]["standard_error"] for d in DEFENSE_NAMES]
    for trace, defense_id in zip(attacks.data, DEFENSE_NAMES, strict=True):
        assert list(trace.x) == [defenses[defense_id]["attack_probabilities"][a] for a in ATTACK_NAMES]
        assert sum(trace.x) == pytest.approx(1.0, abs=1e-12)
        assert min(trace.x) > 0  # both attacks were drawn, so every error bar is non-zero
        assert list(trace.error_x.array) == [
            2 * defenses[defense_id]["attack_probability_errors"][a] for a in ATTACK_NAMES
        ]
