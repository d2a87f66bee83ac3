"""The ARA result's status and message: too few draws, target reached, plain estimate."""

from riskapp.engines.ara import assess
from tests.engines.test_ara import theft_problem


def test_too_few_draws_not_converged():
    result = assess(theft_problem(), seed=1, samples=50, chunk_size=50)
    assert result.status == "not_converged"
    assert result.message.code == "ara.too_few_draws"
    assert result.message.params == {"draws": 50, "minimum": 100}


def test_hundred_draws_estimated():
    result = assess(theft_problem(), seed=1, samples=100, chunk_size=100)
    assert result.status == "ok"
    assert result.message.code == "ara.estimated"
    assert result.message.text == "Estimated from 100 attacker draws (chunks: 1)."


def test_target_reached_says_why_stopped():
    result = assess(theft_problem(), seed=1, samples=100, chunk_size=100, target_standard_error=1e9,
                    max_samples=1000)
    assert result.status == "ok"
    assert result.message.code == "ara.target_reached"
    assert result.counts["draws"] == 100
