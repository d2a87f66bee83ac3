"""Validation of a scenario tree against the ``riskapp-scenario/1`` format.

The validator walks the whole tree and collects every problem it can find, so that a user
fixes a file in one pass. Each problem is a ``FieldError`` naming the path, value and rule.
"""

import re
from decimal import Decimal
from typing import Any

from riskapp.engines.decision import MAX_RISK_EXPONENT, TIE_BREAK_RULES
from riskapp.engines.problem import MODELS, ROW_SUM_TOLERANCE
from riskapp.scenarios.format._defaults import DEFAULT_RISK_MATRIX, FORMAT_NAME, Limits, default_matrix_value
from riskapp.scenarios.format._errors import MISSING, FieldError, join_path
from riskapp.scenarios.format._numbers import attacker_distribution, number_problem

# Fields of each object, in the order the format writes them (export uses the same order).
ROOT_FIELDS = ("format", "title", "description", "sources", "model", "defenses", "attacks", "outcomes",
               "probabilities", "defender", "attacker", "game", "risk_matrix")
DEFENSE_FIELDS = ("id", "name", "cost", "measures")
ATTACK_FIELDS = ("id", "name", "cost", "attempt_probability")
OUTCOME_FIELDS = ("id", "name", "defender_loss", "attacker_gain")
DEFENDER_FIELDS = ("risk_aversion",)
ATTACKER_FIELDS = ("risk_aversion", "belief_concentration", "defense_beliefs")
GAME_FIELDS = ("tie_break",)
MATRIX_FIELDS = ("likelihood", "consequence", "levels", "grid", "criterion", "ratings")
BAND_FIELDS = ("label", "upper")
LEVEL_FIELDS = ("label", "color")
RATING_FIELDS = ("likelihood", "consequence")

CRITERIA = ("expected_loss", "severity_first")
COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")
ROW_TOLERANCE = Decimal(repr(ROW_SUM_TOLERANCE))


def validate(tree: Any, limits: Limits) -> list[FieldError]:
    """Return every problem of a scenario tree read from a file, in the order found."""
    validator = _Validator(limits)
    validator.scenario(tree)
    return validator.errors


class _Validator:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.errors: list[FieldError] = []
        # Kinds ("defense", "attack", "outcome") with an entry whose id is missing or invalid.
        # Keys that match no valid id may then be that entry's intended id, so they are not
        # reported again as unknown.
        self.incomplete_ids: set[str] = set()

    def fail(self, path: str, value: Any, rule: str) -> None:
        self.errors.append(FieldError(path, value, rule))

    # --- building blocks ---------------------------------------------------------------------

    def object(self, path: str, value: Any, *, fields: tuple[str, ...], required: tuple[str, ...] = (),
               noun: str) -> dict | None:
        """Check that ``value`` is an object with known fields only and every required one."""
        if not isinstance(value, dict):
            self.fail(path, value, f"must be an object with the fields of {noun}: {', '.join(fields)}")
            return None
        for key, item in value.items():
            if key not in fields:
                self.fail(join_path(path, key), item, f"is not a field of {noun}; the fields are {', '.join(fields)}")
        for key in required:
            if key not in value:
                self.fail(join_path(path, key), MISSING, f"is missing; {noun} requires it")
        return value

    def text(self, path: str, value: Any, *, empty: bool = False) -> str | None:
        if not isinstance(value, str):
            self.fail(path, value, "must be text in quotes")
            return None
        if not empty and not value.strip():
            self.fail(path, value, "is empty; write some text")
            return None
        return value

    def number(self, path: str, value: Any, *, minimum: Decimal | None = None, maximum: Decimal | None = None,
               rule: str = "") -> Decimal | None:
        """Check a plain number, optionally within [minimum, maximum]; ``rule`` explains the range."""
        problem = number_problem(value)
        if problem:
            self.fail(path, value, problem)
            return None
        if minimum is not None and value < minimum:
            self.fail(path, value, rule or f"is below {minimum}; it must be >= {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.fail(path, value, rule or f"is above {maximum}; it must be <= {maximum}")
            return None
        return value

    def probability(self, path: str, value: Any) -> Decimal | None:
        return self.number(path, value, minimum=Decimal(0), maximum=Decimal(1),
                           rule="is not a probability; it must lie in [0, 1]")

    def choice(self, path: str, value: Any, choices: tuple[str, ...]) -> None:
        if not isinstance(value, str) or value not in choices:
            self.fail(path, value, f"is not one of {', '.join(choices)}")

    def entities(self, path: str, value: Any, *, fields: tuple[str, ...], required: tuple[str, ...],
                 noun: str, plural: str, minimum: int, limit: int) -> list[tuple[str, dict]]:
        """Check a list of defenses, attacks or outcomes; return (path, item) of each valid object."""
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.fail(path, value, f"must be a list of {plural}")
            return []
        if len(value) < minimum:
            self.fail(path, len(value), f"is fewer {plural} than the {minimum} required")
        if len(value) > limit:
            self.fail(path, len(value), f"is more {plural} than the limit of {limit}")
        items = []
        for index, item in enumerate(value):
            item_path = join_path(path, index)
            if self.object(item_path, item, fields=fields, required=required, noun=noun) is not None:
                items.append((item_path, item))
        return items

    def ids(self, value: Any, items: list[tuple[str, dict]], kind: str) -> list[str]:
        """Check the ids of a list of objects; return the valid, unique ones in file order."""
        seen: dict[str, str] = {}
        if not isinstance(value, list) or not value or len(items) < len(value):
            self.incomplete_ids.add(kind)
        for item_path, item in items:
            identifier = self.text(join_path(item_path, "id"), item["id"]) if "id" in item else None
            if identifier is None:
                self.incomplete_ids.add(kind)
                continue
            if identifier != identifier.strip():
                self.incomplete_ids.add(kind)
                self.fail(join_path(item_path, "id"), identifier, "has spaces at the start or end; remove them")
            elif identifier in seen:
                self.incomplete_ids.add(kind)
                self.fail(join_path(item_path, "id"), identifier, f"is already the id of {seen[identifier]}; "
                                                                  "ids must be unique")
            else:
                seen[identifier] = item_path
        return list(seen)

    def keyed_by(self, path: str, value: Any, ids: list[str], *, noun: str, every: bool) -> dict:
        """Check an object keyed by ids; report unknown ids and, when ``every``, missing ones."""
        if not isinstance(value, dict):
            self.fail(path, value, f"must be an object keyed by {noun} id")
            return {}
        for key in value:
            if key not in ids and noun not in self.incomplete_ids:
                known = f"the {noun} ids are {', '.join(ids)}" if ids else f"no {noun} has a valid id"
                self.fail(join_path(path, key), key, f"is not {_article(noun)} {noun} id; {known}")
        if every:
            for key in ids:
                if key not in value:
                    self.fail(join_path(path, key), MISSING, f"is missing; every {noun} needs an entry here")
        return {key: item for key, item in value.items() if key in ids}

    # --- the scenario ------------------------------------------------------------------------

    def scenario(self, tree: Any) -> None:
        if tree is None:
            self.fail("", MISSING, "is empty; a scenario file contains one object with the format's fields")
            return
        data = self.object("", tree, fields=ROOT_FIELDS, required=("format", "title", "defenses", "attacks",
                                                                   "outcomes", "probabilities"),
                           noun="a scenario")
        if data is None:
            return

        if "format" in data and data["format"] != FORMAT_NAME:
            self.fail("format", data["format"], f"is not a supported format; write \"{FORMAT_NAME}\"")
        if "title" in data:
            self.text("title", data["title"])
        if "description" in data:
            self.text("description", data["description"], empty=True)
        if "sources" in data:
            self.sources(data["sources"])
        model = data.get("model", "sequential")
        if "model" in data:
            self.choice("model", model, MODELS)

        defenses = self.entities("defenses", data.get("defenses", MISSING), fields=DEFENSE_FIELDS,
                                 required=("id", "name"), noun="a defense", plural="defenses", minimum=1,
                                 limit=self.limits.max_defenses)
        attacks = self.entities("attacks", data.get("attacks", MISSING), fields=ATTACK_FIELDS,
                                required=("id", "name"), noun="an attack", plural="attacks", minimum=1,
                                limit=self.limits.max_attacks)
        outcomes = self.entities("outcomes", data.get("outcomes", MISSING), fields=OUTCOME_FIELDS,
                                 required=OUTCOME_FIELDS, noun="an outcome", plural="outcomes", minimum=2,
                                 limit=self.limits.max_outcomes)
        defense_ids = self.ids(data.get("defenses"), defenses, "defense")
        attack_ids = self.ids(data.get("attacks"), attacks, "attack")
        outcome_ids = self.ids(data.get("outcomes"), outcomes, "outcome")

        defense_costs, defender_losses = self.defenses(defenses), self.outcomes(outcomes)
        attacker_numbers = self.attacks(attacks), self.attacker_gains(outcomes)
        if "probabilities" in data:
            self.probabilities(data["probabilities"], defense_ids, attack_ids, outcome_ids)
        if "defender" in data:
            self.defender(data["defender"], defense_costs, defender_losses)
        if "attacker" in data:
            self.attacker(data["attacker"], model, defense_ids, attacker_numbers)
        if "game" in data:
            game = self.object("game", data["game"], fields=GAME_FIELDS, noun="the game")
            if game is not None and "tie_break" in game:
                self.choice("game.tie_break", game["tie_break"], TIE_BREAK_RULES)
        if "risk_matrix" in data:
            _MatrixValidator(self).matrix(data["risk_matrix"], defense_ids, attack_ids)

    def sources(self, value: Any) -> None:
        if not isinstance(value, list):
            self.fail("sources", value, "must be a list of texts such as web addresses")
            return
        for index, source in enumerate(value):
            self.text(join_path("sources", index), source)

    def defenses(self, defenses: list[tuple[str, dict]]) -> list[Decimal | None]:
        """Check names, costs and measures; return the costs (None where invalid)."""
        costs = []
        for path, defense in defenses:
            if "name" in defense:
                self.text(join_path(path, "name"), defense["name"])
            costs.append(self.number(join_path(path, "cost"), defense.get("cost", Decimal(0)), minimum=Decimal(0),
                                     rule="is negative; defense costs must be >= 0"))
            if "measures" in defense:
                self.measures(join_path(path, "measures"), defense["measures"])
        return costs

    def measures(self, path: str, value: Any) -> None:
        if not isinstance(value, list):
            self.fail(path, value, "must be a list of catalog measure ids")
            return
        seen = set()
        for index, measure in enumerate(value):
            measure = self.text(join_path(path, index), measure)
            if measure is None:
                continue
            if measure in seen:
                self.fail(join_path(path, index), measure, "is listed twice; list each measure once")
            seen.add(measure)

    def outcomes(self, outcomes: list[tuple[str, dict]]) -> list[Decimal | None]:
        """Check names and defender losses; return the losses (None where invalid)."""
        losses = []
        for path, outcome in outcomes:
            if "name" in outcome:
                self.text(join_path(path, "name"), outcome["name"])
            if "defender_loss" in outcome:
                losses.append(self.number(join_path(path, "defender_loss"), outcome["defender_loss"],
                                          minimum=Decimal(0), rule="is negative; losses must be >= 0"))
            else:
                losses.append(None)
        return losses

    def attacker_gains(self, outcomes: list[tuple[str, dict]]) -> list[Any]:
        return [attacker_distribution(join_path(path, "attacker_gain"), outcome["attacker_gain"], self.fail)
                if "attacker_gain" in outcome else None for path, outcome in outcomes]

    def attacks(self, attacks: list[tuple[str, dict]]) -> list[Any]:
        """Check names, costs and attempt probabilities; return the cost distributions."""
        costs = []
        for path, attack in attacks:
            if "name" in attack:
                self.text(join_path(path, "name"), attack["name"])
            costs.append(attacker_distribution(join_path(path, "cost"), attack.get("cost", Decimal(0)), self.fail))
            if attack.get("attempt_probability") is not None:
                self.probability(join_path(path, "attempt_probability"), attack["attempt_probability"])
        return costs

    def probabilities(self, value: Any, defense_ids: list[str], attack_ids: list[str],
                      outcome_ids: list[str]) -> None:
        rows = self.keyed_by("probabilities", value, defense_ids, noun="defense", every=True)
        for defense, by_attack in rows.items():
            defense_path = join_path("probabilities", defense)
            by_attack = self.keyed_by(defense_path, by_attack, attack_ids, noun="attack", every=True)
            for attack, row in by_attack.items():
                self.probability_row(join_path(defense_path, attack), row, outcome_ids)

    def probability_row(self, path: str, row: Any, outcome_ids: list[str]) -> None:
        entries = self.keyed_by(path, row, outcome_ids, noun="outcome", every=True)
        checked = [self.probability(join_path(path, outcome), p) for outcome, p in entries.items()]
        numbers = [p for p in checked if p is not None]
        if len(numbers) == len(outcome_ids):
            total = sum(numbers, Decimal(0))
            if abs(total - 1) > ROW_TOLERANCE:
                self.fail(path, total, f"is the sum of this row; p(s | d, a) must sum to 1 within {ROW_SUM_TOLERANCE}")

    def defender(self, value: Any, costs: list[Decimal | None], losses: list[Decimal | None]) -> None:
        defender = self.object("defender", value, fields=DEFENDER_FIELDS, noun="the defender")
        if defender is None or "risk_aversion" not in defender:
            return
        r = self.number("defender.risk_aversion", defender["risk_aversion"])
        valid_costs = [float(c) for c in costs if c is not None]
        valid_losses = [float(x) for x in losses if x is not None]
        if r is None or not costs or not losses or len(valid_costs) < len(costs) or len(valid_losses) < len(losses):
            return
        # The defender's payoffs are -(cost + loss), so the largest magnitude is max cost + max loss.
        exponent = abs(float(r)) * (max(valid_costs) + max(valid_losses))
        if exponent > MAX_RISK_EXPONENT:
            self.fail("defender.risk_aversion", r, f"times the largest payoff magnitude is {exponent:g}, above "
                                                   f"{MAX_RISK_EXPONENT:g}; exp() would overflow, so rescale the "
                                                   "payoff units or lower the risk aversion")

    def attacker(self, value: Any, model: str, defense_ids: list[str], numbers: tuple[list, list]) -> None:
        attacker = self.object("attacker", value, fields=ATTACKER_FIELDS, noun="the attacker")
        if attacker is None:
            return
        if "risk_aversion" in attacker:
            r = attacker_distribution("attacker.risk_aversion", attacker["risk_aversion"], self.fail)
            self.attacker_exponent(r, *numbers)
        if attacker.get("belief_concentration") is not None:
            kappa = self.number("attacker.belief_concentration", attacker["belief_concentration"],
                                minimum=Decimal(0), rule="is negative; the concentration κ must be > 0, or null "
                                                         "for no belief uncertainty")
            if kappa is not None and kappa == 0:
                self.fail("attacker.belief_concentration", kappa,
                          "is 0; the concentration κ must be > 0, or null for no belief uncertainty")
        if "defense_beliefs" in attacker:
            if model != "simultaneous":
                self.fail("attacker.defense_beliefs", attacker["defense_beliefs"],
                          "applies only to the simultaneous model; set model to simultaneous or remove it")
                return
            weights = self.keyed_by("attacker.defense_beliefs", attacker["defense_beliefs"], defense_ids,
                                    noun="defense", every=True)
            for defense, weight in weights.items():
                path = join_path("attacker.defense_beliefs", defense)
                if self.number(path, weight) is not None and weight <= 0:
                    self.fail(path, weight, "is not positive; each Dirichlet weight must be > 0")

    def attacker_exponent(self, risk_aversion: Any, costs: list, gains: list) -> None:
        """Reject an attacker risk aversion whose point value would overflow the game solver's utility."""
        if risk_aversion is None or not costs or not gains or None in costs or None in gains:
            return
        payoffs = [abs(g.mean() - c.mean()) for g in gains for c in costs]
        exponent = abs(risk_aversion.mean()) * max(payoffs)
        if exponent > MAX_RISK_EXPONENT:
            self.fail("attacker.risk_aversion", exponent, f"is |r|·max|x| at the point values, above "
                                                          f"{MAX_RISK_EXPONENT:g}; exp() would overflow, so "
                                                          "rescale the payoff units or lower the risk aversion")


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


class _MatrixValidator:
    """Structural checks of ``risk_matrix``; coherence with the criterion is the engine's job."""

    def __init__(self, validator: _Validator) -> None:
        self.v = validator

    def matrix(self, value: Any, defense_ids: list[str], attack_ids: list[str]) -> None:
        given = self.v.object("risk_matrix", value, fields=MATRIX_FIELDS, noun="the risk matrix")
        if given is None:
            return

        def part(key: str) -> Any:
            return given[key] if key in given else default_matrix_value(key)

        likelihood = self.bands("risk_matrix.likelihood", part("likelihood"), kind="likelihood")
        consequence = self.bands("risk_matrix.consequence", part("consequence"), kind="consequence")
        level_count = self.levels(part("levels"))
        if likelihood is not None and consequence is not None and level_count is not None:
            self.grid(part("grid"), len(likelihood), len(consequence), level_count, given="grid" in given)
        if "criterion" in given:
            self.criterion(given["criterion"])
        if "ratings" in given:
            self.ratings(given["ratings"], defense_ids, attack_ids, likelihood or [], consequence or [])

    def labels(self, path: str, items: list[Any], noun: str) -> list[str] | None:
        """Check that every label is non-empty text and unique within its list."""
        labels: list[str] = []
        valid = True
        for index, item in enumerate(items):
            label_path = join_path(join_path(path, index), "label")
            label = self.v.text(label_path, item["label"]) if "label" in item else None
            if label is None:
                valid = False
            elif label in labels:
                self.v.fail(label_path, label, f"is already the label of another {noun}; labels must be unique")
                valid = False
            else:
                labels.append(label)
        return labels if valid else None

    def bands(self, path: str, value: Any, *, kind: str) -> list[str] | None:
        """Check likelihood or consequence bands; return their labels, or None when invalid."""
        if not isinstance(value, list) or not value:
            self.v.fail(path, value, "must be a non-empty list of bands {\"label\": …, \"upper\": …}, lowest first")
            return None
        items = []
        for index, band in enumerate(value):
            item = self.v.object(join_path(path, index), band, fields=BAND_FIELDS, required=BAND_FIELDS,
                                 noun=f"a {kind} band")
            if item is None:
                return None
            items.append(item)
        labels = self.labels(path, items, f"{kind} band")

        previous = None
        valid = labels is not None
        for index, band in enumerate(items):
            upper_path = join_path(join_path(path, index), "upper")
            is_last = index == len(items) - 1
            if "upper" not in band:
                valid = False
                continue
            upper = band["upper"]
            if upper is None:
                if not (kind == "consequence" and is_last):
                    self.v.fail(upper_path, upper, "is null; only the last consequence band may be unbounded")
                    valid = False
                continue
            upper = self.v.number(upper_path, upper, minimum=Decimal(0), rule="is negative; band edges must be >= 0")
            if upper is None:
                valid = False
                continue
            if previous is not None and upper <= previous:
                self.v.fail(upper_path, upper, f"is not above the previous band's upper edge {previous}; "
                                               "bands run from the lowest up, so edges must increase")
                valid = False
            if kind == "likelihood" and is_last and upper != 1:
                self.v.fail(upper_path, upper, "must be exactly 1; the last likelihood band ends at probability 1")
                valid = False
            elif kind == "likelihood" and upper > 1:
                self.v.fail(upper_path, upper, "is above 1; likelihood is a probability")
                valid = False
            previous = upper
        return labels if valid else None

    def levels(self, value: Any) -> int | None:
        path = "risk_matrix.levels"
        if not isinstance(value, list) or not value:
            self.v.fail(path, value, "must be a non-empty list of levels {\"label\": …, \"color\": …}, lowest first")
            return None
        items = []
        for index, level in enumerate(value):
            item = self.v.object(join_path(path, index), level, fields=LEVEL_FIELDS, required=LEVEL_FIELDS,
                                 noun="a risk level")
            if item is None:
                return None
            items.append(item)
        valid = self.labels(path, items, "risk level") is not None
        for index, level in enumerate(items):
            color = level.get("color")
            if "color" in level and (not isinstance(color, str) or not COLOR.match(color)):
                self.v.fail(join_path(join_path(path, index), "color"), color, "is not a color written as #rrggbb")
                valid = False
        return len(items) if valid else None

    def grid(self, value: Any, rows: int, columns: int, level_count: int, *, given: bool) -> None:
        path = "risk_matrix.grid"
        if not given:
            default = DEFAULT_RISK_MATRIX["grid"]
            if (len(default), len(default[0])) != (rows, columns):
                self.v.fail(path, MISSING, f"is missing, and the default {len(default)} × {len(default[0])} grid "
                                           f"does not fit {rows} likelihood × {columns} consequence bands; "
                                           "write a grid")
                return
        if not isinstance(value, list):
            self.v.fail(path, value, "must be a list of rows, one per likelihood band, lowest first")
            return
        if len(value) != rows:
            self.v.fail(path, len(value), f"rows do not match the {rows} likelihood bands; "
                                          "write one row per likelihood band, lowest first")
        highest = level_count - 1
        for i, row in enumerate(value):
            row_path = join_path(path, i)
            if not isinstance(row, list):
                self.v.fail(row_path, row, "must be a list of level indexes, one per consequence band")
                continue
            if len(row) != columns:
                self.v.fail(row_path, len(row), f"cells do not match the {columns} consequence bands; "
                                                "write one level index per consequence band, lowest first")
            for j, cell in enumerate(row):
                self.level_index(join_path(row_path, j), cell, highest)

    def level_index(self, path: str, cell: Any, highest: int) -> None:
        levels = f"levels are 0 to {highest}" if highest > 0 else "the only level is 0"
        if isinstance(cell, bool) or not isinstance(cell, Decimal):
            self.v.fail(path, cell, f"is not a level index; write a whole number ({levels})")
        elif not cell.is_finite() or cell.as_tuple().exponent < 0 or cell != cell.to_integral_value():
            self.v.fail(path, cell, f"is not a whole number; a level index is written like 2 ({levels})")
        elif not 0 <= cell <= highest:
            self.v.fail(path, cell, f"is not an existing level; {levels}")

    def criterion(self, value: Any) -> None:
        path = "risk_matrix.criterion"
        if isinstance(value, str):
            if value == "power":
                self.v.fail(path, value, "needs its exponent; write {\"power\": k} with k >= 1")
            elif value not in CRITERIA:
                self.v.fail(path, value, "is not a criterion; write \"expected_loss\", {\"power\": k} "
                                         "or \"severity_first\"")
            return
        criterion = self.v.object(path, value, fields=("power",), required=("power",),
                                  noun="the power criterion")
        if criterion is not None and "power" in criterion:
            self.v.number(join_path(path, "power"), criterion["power"], minimum=Decimal(1),
                          rule="is below 1; the power criterion p·c^k needs k >= 1")

    def ratings(self, value: Any, defense_ids: list[str], attack_ids: list[str], likelihood: list[str],
                consequence: list[str]) -> None:
        path = "risk_matrix.ratings"
        by_defense = self.v.keyed_by(path, value, defense_ids, noun="defense", every=False)
        for defense, by_attack in by_defense.items():
            defense_path = join_path(path, defense)
            by_attack = self.v.keyed_by(defense_path, by_attack, attack_ids, noun="attack", every=False)
            for attack, rating in by_attack.items():
                rating_path = join_path(defense_path, attack)
                rating = self.v.object(rating_path, rating, fields=RATING_FIELDS, required=RATING_FIELDS,
                                       noun="a rating")
                if rating is None:
                    continue
                for key, labels in (("likelihood", likelihood), ("consequence", consequence)):
                    if key in rating and labels and rating[key] not in labels:
                        self.v.fail(join_path(rating_path, key), rating[key],
                                    f"is not a {key} band label; the labels are {', '.join(labels)}")

