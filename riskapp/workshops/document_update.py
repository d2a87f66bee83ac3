"""Writing pooled workshop values into a scenario document's data, with exact decimals.

Numbers go in as ``Decimal``, as the scenario parser reads them:

- a matrix cell sets ``risk_matrix.ratings[defense][attack]`` to the pooled band labels;
- an attempt probability, a defender loss and a defense cost take the pooled value (the mean of
  the pooled distribution for an interval question), rounded to ``SIGNIFICANT_DIGITS``;
- an attacker gain or attack cost takes the pooled distribution as written by
  ``pooling.to_scenario_number``;
- the pooled cells of a probability row keep their pooled values, rounded to
  ``PROBABILITY_PLACES`` decimal places. The row's other outcomes are rescaled in proportion to
  their old values so that the row sums to 1 exactly. Each other cell becomes
  ``old · (1 − pooled sum) / (old sum of the others)``, rounded half-even to the same places, and
  the largest rescaled cell takes the rounding remainder. When the others were all 0 they share
  the rest equally. When every cell of a row is pooled, the pooled cells are divided by their sum.

The result is checked again by the scenario parser before anything is stored.
"""

import copy
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

PROBABILITY_PLACES = 12
SIGNIFICANT_DIGITS = 10
_QUANTUM = Decimal(1).scaleb(-PROBABILITY_PLACES)
ONE = Decimal(1)
ZERO = Decimal(0)


class DocumentUpdateError(ValueError):
    """A pooled value cannot be written into the document; the message names the field, the value and the rule."""


def decimal_number(value: float) -> Decimal:
    """Return ``value`` as a Decimal with ``SIGNIFICANT_DIGITS`` significant digits, without exponent noise."""
    number = Decimal(format(value, f".{SIGNIFICANT_DIGITS}g"))
    return number.normalize() if number != 0 else ZERO


def decimal_probability(value: float) -> Decimal:
    """Return a probability rounded to ``PROBABILITY_PLACES`` decimal places, without trailing zeros."""
    number = Decimal(repr(float(value))).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    return _plain(min(max(number, ZERO), ONE))


def to_decimals(value: Any) -> Any:
    """Return JSON-like data with every float replaced by an exact Decimal of its shortest repr."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dict):
        return {key: to_decimals(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_decimals(item) for item in value]
    return value


def apply_pooled_values(data: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a copy of scenario ``data`` with the pooled ``entries`` of a ``Pooling`` written in.

    Entries without a pooled result (no respondent) are skipped. Raises DocumentUpdateError when
    an entry names a defense, attack, outcome or band that the document does not have.
    """
    data = copy.deepcopy(data)
    rows: dict[tuple[str, str], dict[str, Decimal]] = {}

    for entry in entries:
        result = entry.get("result")
        if result is None:
            continue
        target = entry["target"]
        if target == "rating":
            _set_rating(data, entry, result)
        elif target == "outcome_probability":
            _find(data, "outcomes", entry["outcome_id"])
            cells = rows.setdefault((entry["defense_id"], entry["attack_id"]), {})
            cells[entry["outcome_id"]] = decimal_probability(result["scenario_value"])
        elif target == "attempt_probability":
            attack = _find(data, "attacks", entry["attack_id"])
            attack["attempt_probability"] = decimal_probability(result["scenario_value"])
        elif target == "defender_loss":
            _find(data, "outcomes", entry["outcome_id"])["defender_loss"] = decimal_number(result["scenario_value"])
        elif target == "defense_cost":
            _find(data, "defenses", entry["defense_id"])["cost"] = decimal_number(result["scenario_value"])
        elif target == "attacker_gain":
            _find(data, "outcomes", entry["outcome_id"])["attacker_gain"] = to_decimals(result["scenario_value"])
        elif target == "attack_cost":
            _find(data, "attacks", entry["attack_id"])["cost"] = to_decimals(result["scenario_value"])
        else:
            raise DocumentUpdateError(f"target: {target!r} is not a target that a workshop can pool")

    for (defense, attack), cells in rows.items():
        path = f"probabilities.{defense}.{attack}"
        row = data["probabilities"].get(defense, {}).get(attack)
        if row is None:
            raise DocumentUpdateError(f"{path}: missing; the latest revision has no such probability row")
        data["probabilities"][defense][attack] = rescaled_row(row, cells, path=path)
    return data


def rescaled_row(row: dict[str, Decimal], pooled: dict[str, Decimal], *, path: str) -> dict[str, Decimal]:
    """Return the probability row with the ``pooled`` cells set and the others rescaled to a sum of exactly 1."""
    pooled_sum = sum(pooled.values(), ZERO)
    others = [outcome for outcome in row if outcome not in pooled]
    result = dict(row)
    result.update(pooled)

    if not others:
        if pooled_sum == 0:
            raise DocumentUpdateError(f"{path}: every pooled probability is 0; a row must sum to 1")
        scaled = {outcome: (value / pooled_sum).quantize(_QUANTUM) for outcome, value in pooled.items()}
        result.update(scaled)
        free = list(scaled)
    else:
        if pooled_sum > ONE:
            raise DocumentUpdateError(f"{path}: the pooled probabilities sum to {pooled_sum}, more than 1, so the "
                                      f"other outcomes cannot be rescaled; pool fewer cells of this row")
        rest = ONE - pooled_sum
        old_rest = sum((row[outcome] for outcome in others), ZERO)
        for outcome in others:
            share = row[outcome] / old_rest if old_rest > 0 else ONE / len(others)
            result[outcome] = (rest * share).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
        free = others

    # Rounding leaves a remainder of at most half a quantum per cell; the largest free cell absorbs it.
    remainder = ONE - sum(result.values(), ZERO)
    largest = max(free, key=lambda outcome: result[outcome])
    result[largest] += remainder
    if result[largest] < 0:
        raise DocumentUpdateError(f"{path}.{largest}: {result[largest]} after rescaling is negative")
    return {outcome: _plain(value) for outcome, value in result.items()}


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros so that 0.300000000000 is written as 0.3."""
    return value.normalize() if value != 0 else ZERO


def _set_rating(data: dict[str, Any], entry: dict[str, Any], result: dict[str, Any]) -> None:
    _find(data, "defenses", entry["defense_id"])
    _find(data, "attacks", entry["attack_id"])
    labels = _band_labels(data)
    rating = {}
    for axis in ("likelihood", "consequence"):
        label = result[axis]
        if label not in labels[axis]:
            raise DocumentUpdateError(f"risk_matrix.{axis}: the band {label!r} is not in the latest revision's "
                                      f"matrix ({', '.join(labels[axis])}); pool again after the matrix is settled")
        rating[axis] = label
    matrix = data.setdefault("risk_matrix", {})
    matrix.setdefault("ratings", {}).setdefault(entry["defense_id"], {})[entry["attack_id"]] = rating


def _band_labels(data: dict[str, Any]) -> dict[str, list[str]]:
    from riskapp.workshops.selectors import band_labels

    return band_labels(data)


def _find(data: dict[str, Any], collection: str, item_id: str) -> dict[str, Any]:
    for item in data[collection]:
        if item["id"] == item_id:
            return item
    singular = collection[:-1]
    raise DocumentUpdateError(f"{collection}: the {singular} {item_id!r} is not in the latest revision")
