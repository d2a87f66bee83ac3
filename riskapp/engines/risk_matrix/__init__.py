"""The risk-matrix engine: threat ratings, a ranking by level counts, and coherence checks.

``assess`` rates each (defense, attack) pair in the scenario's matrix, ranks defenses by how
many threats sit at each level, and checks the matrix itself against Cox's axioms under the
declared risk criterion. Band placement and the checks use exact rational arithmetic.
"""

from fractions import Fraction

from riskapp.engines.problem import Band, RiskLevel, RiskMatrixConfig
from riskapp.engines.risk_matrix._assess import ENGINE_VERSION, assess
from riskapp.engines.risk_matrix._changes import MatrixChanges, RatedCell, RatingChange, rating_changes
from riskapp.engines.risk_matrix._coherence import CHECKS, Finding, check_coherence
from riskapp.engines.risk_matrix._disagreements import Disagreement, matrix_disagreements
from riskapp.engines.risk_matrix._ratings import Rating, rate_threats

# The matrix a scenario gets when it configures none: likelihood per assessment horizon,
# consequence in the defender's loss units, log-spaced above 1.
DEFAULT_MATRIX = RiskMatrixConfig(
    likelihood=(
        Band("Rare", Fraction(1, 100)),
        Band("Unlikely", Fraction(1, 10)),
        Band("Possible", Fraction(3, 10)),
        Band("Likely", Fraction(7, 10)),
        Band("Almost certain", Fraction(1)),
    ),
    consequence=(
        Band("Minor", Fraction(1)),
        Band("Moderate", Fraction(10)),
        Band("Major", Fraction(100)),
        Band("Severe", Fraction(1000)),
        Band("Catastrophic", None),
    ),
    levels=(
        RiskLevel("Low", "#2e7d32"),
        RiskLevel("Medium", "#f9a825"),
        RiskLevel("High", "#ef6c00"),
        RiskLevel("Extreme", "#c62828"),
    ),
    grid=(
        (0, 0, 1, 1, 2),
        (0, 1, 1, 2, 2),
        (0, 1, 2, 2, 3),
        (1, 1, 2, 3, 3),
        (1, 2, 3, 3, 3),
    ),
    criterion="expected_loss",
)

__all__ = ["CHECKS", "DEFAULT_MATRIX", "ENGINE_VERSION", "Disagreement", "Finding", "MatrixChanges", "RatedCell",
           "Rating", "RatingChange", "assess", "check_coherence", "matrix_disagreements", "rate_threats",
           "rating_changes"]
