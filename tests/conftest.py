"""Fixtures shared by every test package."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so that random test inputs are the same on every run."""
    return np.random.default_rng(20261204)
