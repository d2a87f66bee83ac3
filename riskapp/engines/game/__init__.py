"""The game-theoretic solver: the Defend–Attack problem as a game of complete information.

``assess(problem)`` is the engine registered as ``"game"``. It solves the sequential game by
backward induction (the default ranking), the defender's optimal mixed commitment (strong
Stackelberg equilibrium) and the simultaneous game's Nash equilibria, all at the point values
of the attacker's numbers.

The bimatrix solvers it uses work on plain arrays and are public for reuse and tests:

- ``nash_equilibria(A, B, exact=False)``: every extreme equilibrium of small games by vertex
  enumeration (exact rationals on request), the minimax LP or Lemke–Howson for larger ones;
- ``zero_sum_value(A)``: value and optimal strategies of a zero-sum game by one LP;
- ``strong_stackelberg(leader, follower)``: the leader's optimal commitment by one LP per
  follower response, pruned;
- ``lemke_howson(A, B, label=k)`` and ``lemke_howson_all_labels(A, B)``;
- ``is_equilibrium(A, B, x, y)``: the best-response check every reported equilibrium passes.

In every bimatrix function ``A`` is the row player's (the defender's, the leader's) payoff and
``B`` the column player's; both players maximise.
"""

from riskapp.engines.game._bimatrix import Equilibrium, PayoffError, is_equilibrium
from riskapp.engines.game._engine import ENGINE_VERSION, assess, attacker_matrices
from riskapp.engines.game._lemke_howson import LemkeHowsonPath, lemke_howson, lemke_howson_all_labels
from riskapp.engines.game._nash import NashResult, is_constant_sum, nash_equilibria
from riskapp.engines.game._stackelberg import StackelbergSolution, strong_stackelberg
from riskapp.engines.game._zero_sum import SolverError, ZeroSumSolution, zero_sum_value

__all__ = [
    "ENGINE_VERSION",
    "Equilibrium",
    "LemkeHowsonPath",
    "NashResult",
    "PayoffError",
    "SolverError",
    "StackelbergSolution",
    "ZeroSumSolution",
    "assess",
    "attacker_matrices",
    "is_constant_sum",
    "is_equilibrium",
    "lemke_howson",
    "lemke_howson_all_labels",
    "nash_equilibria",
    "strong_stackelberg",
    "zero_sum_value",
]
