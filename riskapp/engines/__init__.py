"""The assessment engines: pure numpy and scipy, no Django, no I/O.

Each engine is a function ``assess(problem, **options) -> AssessmentResult``, registered here
by name so that services and the command line choose engines by the same names.
"""

from collections.abc import Callable

from riskapp.engines.problem import Problem
from riskapp.engines.result import AssessmentResult

Engine = Callable[..., AssessmentResult]

ENGINE_NAMES = ("risk_matrix", "game", "ara")


def get_engine(name: str) -> Engine:
    """Return the ``assess`` function of the engine called ``name``."""
    if name == "risk_matrix":
        from riskapp.engines.risk_matrix import assess
    elif name == "game":
        from riskapp.engines.game import assess
    elif name == "ara":
        from riskapp.engines.ara import assess
    else:
        raise ValueError(f"engine {name!r}: expected one of {', '.join(ENGINE_NAMES)}")
    return assess


__all__ = ["ENGINE_NAMES", "AssessmentResult", "Engine", "Problem", "get_engine"]
