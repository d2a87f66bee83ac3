"""ARA engine: options, random streams, chunking, merging and adaptive stopping.

``make_problem`` builds the small problems that the other ARA test modules use too.
"""

import hashlib
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from riskapp.engines import get_engine
from riskapp.engines.ara import (
    AraOptions,
    AraOptionsError,
    ChunkStatistics,
    _chunk,
    assess,
    merge_chunks,
    run_chunk,
    should_stop,
    stable_words,
)
from riskapp.engines.ara._chunk import attacker_choices
from riskapp.engines.ara._sampling import BeliefSampler, draw_attacker_types
from riskapp.engines.distributions import Distribution
from riskapp.engines.problem import Band, Problem, RiskLevel, RiskMatrixConfig
from riskapp.engines.result import AssessmentResult

REPOSITORY = Path(__file__).resolve().parents[2]

MATRIX = RiskMatrixConfig(likelihood=(Band("Any", None),), consequence=(Band("Any", None),),
                          levels=(RiskLevel("Low", "#2e7d32"),), grid=((0,),))


def number(value) -> Distribution:
    return value if isinstance(value, Distribution) else Distribution.point(value)


def make_problem(probabilities, *, gains, costs, risk_aversion=0.0, losses=None, defense_costs=None,
                 kappa=None, model="sequential", defense_beliefs=None, tie_break="against_defender",
                 defense_ids=None, attack_ids=None, outcome_ids=None, defender_risk_aversion=0.0) -> Problem:
    """A problem from arrays; attacker numbers may be plain numbers or distributions."""
    p = np.asarray(probabilities, dtype=np.float64)
    n_defenses, n_attacks, n_outcomes = p.shape
    defense_ids = tuple(defense_ids or (f"d{i}" for i in range(n_defenses)))
    attack_ids = tuple(attack_ids or (f"a{i}" for i in range(n_attacks)))
    outcome_ids = tuple(outcome_ids or (f"s{i}" for i in range(n_outcomes)))
    losses = np.zeros(n_outcomes) if losses is None else np.asarray(losses, dtype=np.float64)
    defense_costs = np.zeros(n_defenses) if defense_costs is None else np.asarray(defense_costs, dtype=np.float64)
    attacker = (tuple(number(g) for g in gains), tuple(number(c) for c in costs), number(risk_aversion))
    digest = hashlib.sha256(repr((p.tolist(), attacker, losses.tolist(), defense_costs.tolist(), kappa, model,
                                  defense_beliefs, tie_break, defense_ids, attack_ids, outcome_ids,
                                  defender_risk_aversion)).encode()).hexdigest()
    return Problem(
        defense_ids=defense_ids, defense_names=defense_ids, defense_costs=defense_costs,
        attack_ids=attack_ids, attack_names=attack_ids, attack_costs=attacker[1],
        attempt_probabilities=(None,) * n_attacks,
        outcome_ids=outcome_ids, outcome_names=outcome_ids, defender_losses=losses,
        attacker_gains=attacker[0], probabilities=p, defender_risk_aversion=defender_risk_aversion,
        attacker_risk_aversion=attacker[2], risk_matrix=MATRIX, digest=digest, belief_concentration=kappa,
        model=model, defense_beliefs=None if defense_beliefs is None else np.asarray(defense_beliefs, dtype=float),
        tie_break=tie_break)


def random_problem(rng: np.random.Generator, shape=(3, 4, 3), *, kappa=5.0, model="sequential") -> Problem:
    """A problem with uncertain gains, costs and risk aversion and random defender beliefs."""
    n_defenses, n_attacks, n_outcomes = shape
    probabilities = rng.dirichlet(np.ones(n_outcomes), size=(n_defenses, n_attacks))
    return make_problem(
        probabilities,
        gains=[Distribution("uniform", (0.0, 10.0 * (s + 1))) for s in range(n_outcomes)],
        costs=[Distribution("triangular", (0.0, a, 2.0 * a + 1.0)) for a in range(n_attacks)],
        risk_aversion=Distribution("uniform", (-0.05, 0.1)),
        losses=np.linspace(0.0, 20.0, n_outcomes), defense_costs=np.arange(n_defenses, dtype=float),
        kappa=kappa, model=model)


def theft_problem(**changes) -> Problem:
    """Two defenses, no attack versus one attack, two outcomes: kept and stolen."""
    arguments = {
        "probabilities": [[[1.0, 0.0], [0.7, 0.3]], [[1.0, 0.0], [0.95, 0.05]]],
        "gains": [0.0, Distribution("uniform", (20.0, 80.0))],
        "costs": [0.0, 2.0],
        "losses": [0.0, 100.0],
        "defense_costs": [1.0, 4.0],
        "defense_ids": ("asl2", "asl3"),
        "attack_ids": ("none", "insider"),
        "outcome_ids": ("kept", "stolen"),
    }
    arguments.update(changes)
    return make_problem(arguments.pop("probabilities"), **arguments)


# Options


def test_options_round_trip_through_json():
    options = AraOptions(samples=12_000, chunk_size=5_000, indistinguishable_se=3,
                         target_standard_error=0.01, max_samples=40_000)
    assert AraOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    assert options.to_dict() == {"samples": 12_000, "chunk_size": 5_000, "indistinguishable_se": 3.0,
                                 "target_standard_error": 0.01, "max_samples": 40_000}


def test_options_chunk_partition():
    fixed = AraOptions(samples=12_000, chunk_size=5_000)
    assert fixed.planned_chunks() == 3
    assert [fixed.chunk_draws(i) for i in range(3)] == [5_000, 5_000, 2_000]
    adaptive = AraOptions(samples=1_000, chunk_size=5_000, target_standard_error=0.1, max_samples=11_000)
    assert adaptive.planned_chunks() == 3
    assert adaptive.chunk_draws(2) == 1_000
    assert AraOptions(samples=500, target_standard_error=0.1).planned_chunks() == 1
    with pytest.raises(AraOptionsError, match=r"chunk index 3"):
        fixed.chunk_draws(3)


@pytest.mark.parametrize(("data", "message"), [
    ({"samples": 0}, r"ara\.options\.samples: 0 must be a positive integer"),
    ({"samples": 10.0}, r"ara\.options\.samples: 10\.0 must be a positive integer"),
    ({"chunk_size": True}, r"ara\.options\.chunk_size: True"),
    ({"indistinguishable_se": -1.0}, r"ara\.options\.indistinguishable_se: -1\.0 must be a finite number"),
    ({"indistinguishable_se": float("nan")}, r"ara\.options\.indistinguishable_se: nan"),
    ({"target_standard_error": 0.0}, r"ara\.options\.target_standard_error: 0\.0 must be positive"),
    ({"max_samples": 100}, r"ara\.options\.max_samples: 100 is only allowed together with target_standard_error"),
    ({"samples": 10, "seeds": 3}, r"ara\.options\.seeds: unknown option"),
])
def test_options_reject_invalid_values(data, message):
    with pytest.raises(AraOptionsError, match=message):
        AraOptions.from_dict(data)


@pytest.mark.parametrize("seed", [-1, 2**53, 1.0, True, "7"])
def test_assess_rejects_invalid_seed(seed):
    with pytest.raises(AraOptionsError, match=r"ara\.seed: .* must be an integer with 0 <= seed < 2\*\*53"):
        assess(theft_problem(), seed=seed, samples=10)


def test_engine_registered_as_ara():
    assert get_engine("ara") is assess


# Random streams


def test_stable_words_from_sha256():
    digest = hashlib.sha256(b"gain:stolen").digest()
    expected = tuple(int.from_bytes(digest[i:i + 4], "little") for i in (0, 4, 8, 12))
    assert stable_words("gain:stolen") == expected
    assert stable_words("gain:stolen") != stable_words("gain:kept")


def test_chunk_same_across_hash_seeds():
    # String hashing is salted per process; the streams must not depend on it.
    script = ("import json; from tests.engines.test_ara import random_problem; import numpy as np;"
              "from riskapp.engines.ara import run_chunk;"
              "print(json.dumps(run_chunk(random_problem(np.random.default_rng(3)), seed=11, index=2,"
              " draws=300).to_dict()))")
    outputs = []
    for hash_seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPOSITORY)}
        completed = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, env=environment,
                                   capture_output=True, text=True, check=True)
        outputs.append(json.loads(completed.stdout))
    in_process = run_chunk(random_problem(np.random.default_rng(3)), seed=11, index=2, draws=300).to_dict()
    assert outputs[0] == outputs[1]
    assert outputs[0] == in_process


def test_added_uncertain_input_keeps_other_draws():
    # Dyadic probabilities, so that normalising the rows changes no bit.
    rows = np.array([[0.5, 0.25, 0.25], [0.125, 0.375, 0.5]])
    probabilities = np.stack([rows, rows[::-1]])
    arguments = {"gains": [Distribution("uniform", (0.0, 10.0)), 2.0, Distribution("normal", (5.0, 1.0))],
                 "risk_aversion": Distribution("uniform", (-0.05, 0.1)), "kappa": 3.0}
    problem = make_problem(probabilities, costs=[0.0, Distribution("pert", (1.0, 2.0, 4.0))], **arguments)
    extra_attack = make_problem(np.concatenate([probabilities, probabilities[:, :1]], axis=1),
                                costs=[0.0, Distribution("pert", (1.0, 2.0, 4.0)), Distribution("uniform", (1.0, 3.0))],
                                attack_ids=("a0", "a1", "extra"), **arguments)
    before = draw_attacker_types(problem, seed=4, index=1, draws=200)
    after = draw_attacker_types(extra_attack, seed=4, index=1, draws=200)
    assert_array_equal(after.costs[:, :-1], before.costs)
    assert_array_equal(after.gains, before.gains)
    assert_array_equal(after.risk_aversion, before.risk_aversion)
    assert not np.array_equal(after.costs[:, -1], before.costs[:, 1])

    beliefs_before = BeliefSampler(problem, seed=4, index=1)
    beliefs_after = BeliefSampler(extra_attack, seed=4, index=1)
    for d in range(2):
        assert_array_equal(beliefs_after.draw(d, 200)[:, :-1], beliefs_before.draw(d, 200))


def test_chunks_use_distinct_streams():
    problem = random_problem(np.random.default_rng(6))
    first = draw_attacker_types(problem, seed=4, index=0, draws=100)
    second = draw_attacker_types(problem, seed=4, index=1, draws=100)
    other_seed = draw_attacker_types(problem, seed=5, index=0, draws=100)
    assert not np.any(first.gains == second.gains)
    assert not np.any(first.gains == other_seed.gains)


def test_zero_probability_outcomes_stay_impossible():
    probabilities = [[[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]]
    problem = make_problem(probabilities, gains=[0.0, 1.0, 2.0], costs=[0.0, 0.0], kappa=0.5)
    beliefs = BeliefSampler(problem, seed=1, index=0).draw(0, 1000)
    assert np.all(beliefs[:, 0, 1] == 0.0)
    assert np.all(beliefs[:, 1, :] == [0.0, 1.0, 0.0])
    assert np.allclose(beliefs.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    # Dirichlet(0.25, 0.25) on the support: the draws vary and their mean is p.
    assert np.std(beliefs[:, 0, 0]) > 0.3
    assert abs(np.mean(beliefs[:, 0, 0]) - 0.5) < 4 * np.sqrt(1 / 12 / 1000)


# Chunks and merging


def test_chunk_statistics_json_lossless():
    problem = random_problem(np.random.default_rng(7))
    chunk = run_chunk(problem, seed=3, index=0, draws=500)
    restored = ChunkStatistics.from_dict(json.loads(json.dumps(chunk.to_dict())))
    assert restored.to_dict() == chunk.to_dict()
    assert_array_equal(restored.comoment, chunk.comoment)
    assert restored.counts.dtype == np.int64


def test_chunk_statistics_match_per_draw_values():
    problem = random_problem(np.random.default_rng(8))
    chunk = run_chunk(problem, seed=3, index=1, draws=700)
    choices = attacker_choices(problem, seed=3, index=1, draws=700)
    utilities = problem.defender_utilities()[np.arange(3), choices]
    np.testing.assert_allclose(chunk.mean, utilities.mean(axis=0), rtol=1e-13)
    centred = utilities - utilities.mean(axis=0)
    np.testing.assert_allclose(chunk.comoment, centred.T @ centred, rtol=1e-10, atol=1e-9)
    for d in range(3):
        assert_array_equal(chunk.counts[d], np.bincount(choices[:, d], minlength=4))


def test_chunk_independent_of_block_size(monkeypatch):
    problem = random_problem(np.random.default_rng(9))
    whole = run_chunk(problem, seed=8, index=0, draws=1000).to_dict()
    # Three outcomes × four attacks: blocks of 8 draws, the last one partial.
    monkeypatch.setattr(_chunk, "MAX_BLOCK_ELEMENTS", 100)
    assert run_chunk(problem, seed=8, index=0, draws=1000).to_dict() == whole


def test_merge_independent_of_finishing_order():
    problem = random_problem(np.random.default_rng(10))
    options = AraOptions(samples=2_300, chunk_size=500)
    in_process = assess(problem, seed=21, samples=2_300, chunk_size=500).to_dict()

    indexes = list(range(options.planned_chunks()))
    random.Random(4).shuffle(indexes)
    stored = {i: json.dumps(run_chunk(problem, seed=21, index=i, draws=options.chunk_draws(i)).to_dict())
              for i in indexes}
    chunks = [ChunkStatistics.from_dict(json.loads(stored[i])) for i in sorted(stored)]
    merged = merge_chunks(problem, chunks, options=options, seed=21).to_dict()
    assert merged == in_process
    assert assess(problem, seed=21, samples=2_300, chunk_size=500).to_dict() == in_process


def test_merge_matches_single_pass_statistics():
    problem = random_problem(np.random.default_rng(11))
    result = assess(problem, seed=2, samples=1_500, chunk_size=400)
    choices = np.concatenate([attacker_choices(problem, seed=2, index=i, draws=d)
                              for i, d in enumerate([400, 400, 400, 300])])
    utilities = problem.defender_utilities()[np.arange(3), choices]
    for d, defense in enumerate(problem.defense_ids):
        assessment = result.defenses[defense]
        assert assessment.expected_utility == pytest.approx(utilities[:, d].mean(), rel=1e-13)
        assert assessment.standard_error == pytest.approx(utilities[:, d].std() / np.sqrt(1_500), rel=1e-10)
    best = problem.defense_ids.index(result.recommended_defense)
    differences = result.sections["ara"]["difference_from_recommended"]
    for d, defense in enumerate(problem.defense_ids):
        paired = utilities[:, best] - utilities[:, d]
        assert differences[defense]["difference"] == pytest.approx(paired.mean(), rel=1e-12, abs=1e-12)
        assert differences[defense]["standard_error"] == pytest.approx(paired.std() / np.sqrt(1_500),
                                                                       rel=1e-8, abs=1e-12)


def test_merge_keeps_digits_with_large_offset():
    # A cost of 1e9 shifts every utility by -1e9; centred sums keep the spread exact.
    base = random_problem(np.random.default_rng(12))
    shifted = make_problem(base.probabilities, gains=base.attacker_gains, costs=base.attack_costs,
                           risk_aversion=base.attacker_risk_aversion, losses=base.defender_losses,
                           defense_costs=base.defense_costs + 1e9, kappa=base.belief_concentration)
    plain = assess(base, seed=5, samples=3_000, chunk_size=700)
    offset = assess(shifted, seed=5, samples=3_000, chunk_size=700)
    for defense in base.defense_ids:
        assert offset.defenses[defense].standard_error == pytest.approx(plain.defenses[defense].standard_error,
                                                                        rel=1e-6)


def test_merge_rejects_foreign_chunks():
    problem = random_problem(np.random.default_rng(13))
    other = random_problem(np.random.default_rng(14))
    options = AraOptions(samples=200, chunk_size=100)
    chunks = [run_chunk(problem, seed=1, index=i, draws=100) for i in range(2)]
    with pytest.raises(ValueError, match=r"chunks\[0\]\.index: 1; chunks must be given in index order"):
        merge_chunks(problem, chunks[::-1], options=options, seed=1)
    with pytest.raises(ValueError, match=r"chunks\[0\]\.seed: 1 differs from the run's seed 2"):
        merge_chunks(problem, chunks, options=options, seed=2)
    with pytest.raises(ValueError, match=r"chunks\[0\]\.problem_digest"):
        merge_chunks(other, chunks, options=options, seed=1)
    with pytest.raises(ValueError, match=r"chunks\[1\]\.draws: 100; the options fix 50"):
        merge_chunks(problem, chunks, options=AraOptions(samples=150, chunk_size=100), seed=1)
    with pytest.raises(ValueError, match=r"a run of 300 draws needs 3 chunks, got 2"):
        merge_chunks(problem, chunks, options=AraOptions(samples=300, chunk_size=100), seed=1)


def test_result_json_round_trip():
    result = assess(random_problem(np.random.default_rng(15)), seed=9, samples=600, chunk_size=250)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert AssessmentResult.from_dict(data).to_dict() == result.to_dict()
    assert data["engine"] == "ara"
    assert data["seed"] == 9
    assert data["counts"] == {"draws": 600, "chunks": 3}
    assert data["options"] == AraOptions(samples=600, chunk_size=250).to_dict()
    assert data["convergence"]["draws"] == [250, 500, 600]
    assert all(len(values) == 3 for values in data["convergence"]["standard_error"].values())
    assert data["defenses"]["d0"]["score"]["unit"] == "defender utility"


def test_convergence_history_matches_prefix_runs():
    problem = random_problem(np.random.default_rng(16))
    full = assess(problem, seed=3, samples=900, chunk_size=300)
    prefix = assess(problem, seed=3, samples=600, chunk_size=300)
    for defense in problem.defense_ids:
        assert full.sections["convergence"]["expected_utility"][defense][1] == \
            prefix.defenses[defense].expected_utility
        assert full.sections["convergence"]["standard_error"][defense][1] == \
            prefix.defenses[defense].standard_error


# Adaptive stopping


def test_adaptive_stops_at_first_checkpoint():
    problem = random_problem(np.random.default_rng(17))
    options = AraOptions(samples=300, chunk_size=300, target_standard_error=0.05, max_samples=30_000)
    chunks = []
    decisions = []
    for index in range(options.planned_chunks()):
        chunks.append(run_chunk(problem, seed=6, index=index, draws=options.chunk_draws(index)))
        decisions.append(should_stop(problem, chunks, options=options))
        if decisions[-1]:
            break
    assert decisions[-1]
    assert not any(decisions[:-1])
    assert 1 < len(chunks) < options.planned_chunks()

    result = assess(problem, seed=6, samples=300, chunk_size=300, target_standard_error=0.05, max_samples=30_000)
    assert result.counts == {"draws": 300 * len(chunks), "chunks": len(chunks)}
    assert result.status == "ok"
    assert max(d.standard_error for d in result.defenses.values()) <= 0.05
    previous = merge_chunks(problem, chunks[:-1], options=options, seed=6)
    assert max(d.standard_error for d in previous.defenses.values()) > 0.05
    assert result.to_dict() == merge_chunks(problem, chunks, options=options, seed=6).to_dict()


def test_adaptive_budget_spent_not_converged():
    problem = random_problem(np.random.default_rng(18))
    result = assess(problem, seed=6, samples=100, chunk_size=250, target_standard_error=1e-6, max_samples=1_000)
    assert result.status == "not_converged"
    assert result.counts == {"draws": 1_000, "chunks": 4}
    assert result.message.code == "ara.not_converged"
    assert result.message.params["target_standard_error"] == 1e-6
    assert result.message.params["largest_standard_error"] == max(d.standard_error for d in result.defenses.values())


def test_fixed_run_stops_only_at_end():
    problem = random_problem(np.random.default_rng(19))
    options = AraOptions(samples=900, chunk_size=300)
    chunks = [run_chunk(problem, seed=1, index=i, draws=300) for i in range(3)]
    assert [should_stop(problem, chunks[:n], options=options) for n in range(4)] == [False, False, False, True]


def test_tiny_concentration_beliefs_at_vertices():
    # As κ → 0, Dirichlet(κp) puts all its mass on outcome s with probability p(s).
    probabilities = [[[0.5, 0.3, 0.2], [0.2, 0.0, 0.8]]]
    problem = make_problem(probabilities, gains=[0.0, 10.0, 20.0], costs=[0.0, 1.0], kappa=1e-4,
                           risk_aversion=Distribution("uniform", (-1.0, 1.0)))
    beliefs = BeliefSampler(problem, seed=2, index=0).draw(0, 20_000)
    assert np.all(np.isfinite(beliefs))
    assert np.allclose(beliefs.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    assert np.all(beliefs[:, 1, 1] == 0.0)
    assert np.mean(beliefs[:, 0, :].max(axis=1) > 1 - 1e-6) > 0.999
    largest = np.argmax(beliefs[:, 0, :], axis=1)
    for s, p in enumerate([0.5, 0.3, 0.2]):
        assert abs(np.mean(largest == s) - p) <= 4 * np.sqrt(p * (1 - p) / 20_000)

    result = assess(problem, seed=2, samples=2_000, chunk_size=1_000)
    json.dumps(result.to_dict(), allow_nan=False)
    assert sum(result.sections["ara"]["attack_counts"]["d0"].values()) == 2_000


def test_wilson_interval_zero_and_interior():
    # Under asl3 the insider needs a gain above 240 and never attacks; under asl2 p = 2/3.
    result = assess(theft_problem(costs=[0.0, 12.0]), seed=3, samples=1_000, chunk_size=1_000)
    intervals = result.sections["ara"]["attack_probability_intervals"]
    z = 1.959963984540054
    assert result.defenses["asl3"].attack_probabilities["insider"] == 0.0
    assert intervals["asl3"]["insider"][0] == 0.0
    assert intervals["asl3"]["insider"][1] == pytest.approx(z**2 / (1_000 + z**2), rel=1e-12)

    p = result.defenses["asl2"].attack_probabilities["insider"]
    centre = (p + z**2 / 2_000) / (1 + z**2 / 1_000)
    half_width = z * math.sqrt(p * (1 - p) / 1_000 + z**2 / 4e6) / (1 + z**2 / 1_000)
    assert intervals["asl2"]["insider"] == pytest.approx([centre - half_width, centre + half_width], rel=1e-12)
    assert intervals["asl2"]["insider"][0] < p < intervals["asl2"]["insider"][1]


def test_run_chunk_validates_arguments():
    problem = theft_problem()
    with pytest.raises(ValueError, match=r"chunk index -1: must be a non-negative integer"):
        run_chunk(problem, seed=1, index=-1, draws=10)
    with pytest.raises(ValueError, match=r"chunk draws 0: must be a positive integer"):
        run_chunk(problem, seed=1, index=0, draws=0)
    numpy_integers = run_chunk(problem, seed=np.int64(1), index=np.int64(2), draws=np.int64(10))
    assert numpy_integers.to_dict() == run_chunk(problem, seed=1, index=2, draws=10).to_dict()
    assert type(numpy_integers.index) is int
