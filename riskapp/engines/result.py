"""The result every engine returns, and its lossless JSON form.

Messages and warnings are codes with parameters and an English template. Engines import no
Django, so the Django layer looks the code up in its translated catalogue.
"""

import math
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "not_converged", "failed")


@dataclass(frozen=True)
class Notice:
    """A message or warning: a stable code, its parameters and an English template."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template.format(**self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.text, "template": self.template, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Notice":
        return cls(code=data["code"], template=data["template"], params=dict(data.get("params", {})))


@dataclass(frozen=True)
class Score:
    value: float | None
    unit: str


@dataclass
class DefenseAssessment:
    """One engine's verdict on one defense.

    ``attack_probabilities`` is the predicted attack distribution ``p(a | d)``; for the game
    solver it is the best response (0 or 1). Keys that do not apply to an engine stay None.
    """

    score: Score
    expected_utility: float | None = None
    standard_error: float | None = None
    attack_probabilities: dict[str, float] | None = None
    attack_probability_errors: dict[str, float] | None = None
    risk_level: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": {"value": self.score.value, "unit": self.score.unit},
            "expected_utility": self.expected_utility,
            "standard_error": self.standard_error,
            "attack_probabilities": self.attack_probabilities,
            "attack_probability_errors": self.attack_probability_errors,
            "risk_level": self.risk_level,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DefenseAssessment":
        return cls(
            score=Score(**data["score"]),
            expected_utility=data["expected_utility"],
            standard_error=data["standard_error"],
            attack_probabilities=data["attack_probabilities"],
            attack_probability_errors=data["attack_probability_errors"],
            risk_level=data["risk_level"],
        )


@dataclass
class AssessmentResult:
    """What an engine concluded about one problem.

    ``defense_ranking`` lists defenses best first; ``indistinguishable`` lists the defenses
    other than the recommended one that cannot be distinguished from it. ``sections`` contains the
    engine-specific parts (``mixed_commitment``, ``coherence``…), serialised beside the
    common keys. ``counts`` records the work done (draws, LPs solved, chunks).
    """

    engine: str
    engine_version: str
    problem_digest: str
    options: dict[str, Any]
    status: str
    message: Notice
    recommended_defense: str | None
    defense_ranking: list[str]
    indistinguishable: list[str]
    defenses: dict[str, DefenseAssessment]
    seed: int | None = None
    warnings: list[Notice] = field(default_factory=list)
    point_values: dict[str, Any] | None = None
    counts: dict[str, int] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r}: expected one of {', '.join(STATUSES)}")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "engine": self.engine,
            "engine_version": self.engine_version,
            "problem_digest": self.problem_digest,
            "seed": self.seed,
            "options": self.options,
            "status": self.status,
            "message": self.message.text,
            "message_detail": self.message.to_dict(),
            "warnings": [w.to_dict() for w in self.warnings],
            "point_values": self.point_values,
            "recommended_defense": self.recommended_defense,
            "defense_ranking": list(self.defense_ranking),
            "indistinguishable": list(self.indistinguishable),
            "defenses": {d: assessment.to_dict() for d, assessment in self.defenses.items()},
            "counts": dict(self.counts),
        }
        for name, section in self.sections.items():
            if name in data:
                raise ValueError(f"engine section {name!r} would overwrite a common key")
            data[name] = section
        _reject_non_finite(data, "result")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AssessmentResult":
        common = {"engine", "engine_version", "problem_digest", "seed", "options", "status", "message",
                  "message_detail", "warnings", "point_values", "recommended_defense", "defense_ranking",
                  "indistinguishable", "defenses", "counts"}
        return cls(
            engine=data["engine"],
            engine_version=data["engine_version"],
            problem_digest=data["problem_digest"],
            seed=data["seed"],
            options=data["options"],
            status=data["status"],
            message=Notice.from_dict(data["message_detail"]),
            warnings=[Notice.from_dict(w) for w in data["warnings"]],
            point_values=data["point_values"],
            recommended_defense=data["recommended_defense"],
            defense_ranking=list(data["defense_ranking"]),
            indistinguishable=list(data["indistinguishable"]),
            defenses={d: DefenseAssessment.from_dict(v) for d, v in data["defenses"].items()},
            counts=dict(data.get("counts", {})),
            sections={k: v for k, v in data.items() if k not in common},
        )


def _reject_non_finite(value: Any, path: str) -> None:
    """Raise when any float in the result is NaN or infinite: no output may be."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path}: {value!r} is not finite")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_non_finite(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _reject_non_finite(item, f"{path}[{index}]")
