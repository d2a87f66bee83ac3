"""The options of an ARA run and the chunk partition they fix."""

import math
import numbers
from dataclasses import asdict, dataclass, fields
from typing import Any

# Seeds are stored in JSON and in a signed 64-bit column, and must survive a round trip
# through JavaScript numbers, so they stay below 2**53.
SEED_LIMIT = 2**53


class AraOptionsError(ValueError):
    """An ARA option is invalid; the message names the option, its value and the rule."""


@dataclass(frozen=True)
class AraOptions:
    """How many attacker draws to make, in which chunks, and when to stop.

    With ``target_standard_error`` unset the run makes exactly ``samples`` draws. With it set
    the run is adaptive: it stops at the first checkpoint (after chunks 0..n-1, in index
    order) where every defense's ψ_D standard error is at most the target, or when the
    budget ``max_samples`` (``samples`` when absent) is spent. ``indistinguishable_se`` is the
    number of paired-difference standard errors within which a defense is listed as
    indistinguishable from the best one.
    """

    samples: int = 10_000
    chunk_size: int = 5_000
    indistinguishable_se: float = 2.0
    target_standard_error: float | None = None
    max_samples: int | None = None

    def __post_init__(self) -> None:
        _check_positive_integer("samples", self.samples)
        _check_positive_integer("chunk_size", self.chunk_size)
        _check_non_negative_number("indistinguishable_se", self.indistinguishable_se)
        object.__setattr__(self, "indistinguishable_se", float(self.indistinguishable_se))
        if self.target_standard_error is not None:
            _check_non_negative_number("target_standard_error", self.target_standard_error)
            if self.target_standard_error == 0:
                raise AraOptionsError(
                    f"ara.options.target_standard_error: {self.target_standard_error!r} must be positive")
            object.__setattr__(self, "target_standard_error", float(self.target_standard_error))
        if self.max_samples is not None:
            _check_positive_integer("max_samples", self.max_samples)
            if self.target_standard_error is None:
                raise AraOptionsError(
                    f"ara.options.max_samples: {self.max_samples!r} is only allowed together with "
                    "target_standard_error (adaptive mode)")

    @property
    def adaptive(self) -> bool:
        return self.target_standard_error is not None

    @property
    def budget(self) -> int:
        """The maximum number of draws: ``max_samples`` when adaptive and set, else ``samples``."""
        if self.adaptive and self.max_samples is not None:
            return self.max_samples
        return self.samples

    def planned_chunks(self) -> int:
        """Number of chunks that spend the whole budget."""
        return math.ceil(self.budget / self.chunk_size)

    def chunk_draws(self, index: int) -> int:
        """Draws in chunk ``index``: ``chunk_size``, except a shorter last chunk."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.planned_chunks():
            raise AraOptionsError(
                f"chunk index {index!r}: expected an integer in [0, {self.planned_chunks()})")
        return min(self.chunk_size, self.budget - index * self.chunk_size)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AraOptions":
        """Build options from their JSON form; unknown keys are errors."""
        if not isinstance(data, dict):
            raise AraOptionsError(f"ara.options: expected an object, got {data!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise AraOptionsError(
                f"ara.options.{unknown[0]}: unknown option; expected one of {', '.join(sorted(known))}")
        return cls(**data)


def _check_positive_integer(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AraOptionsError(f"ara.options.{name}: {value!r} must be a positive integer")


def _check_non_negative_number(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise AraOptionsError(f"ara.options.{name}: {value!r} must be a finite number at least 0")


def check_seed(seed: Any) -> int:
    """Return ``seed`` as an ``int`` when it is an integer in [0, 2**53); raise otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < SEED_LIMIT:
        raise AraOptionsError(f"ara.seed: {seed!r} must be an integer with 0 <= seed < 2**53")
    return int(seed)
