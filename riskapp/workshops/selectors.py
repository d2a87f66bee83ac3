"""Reads of workshops: the questions a revision offers, access checks, progress and the revealed spread."""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from riskapp.accounts import access
from riskapp.scenarios.format import DEFAULT_RISK_MATRIX, ScenarioDocument
from riskapp.workshops import pooling
from riskapp.workshops.models import Judgement, Participant, Question, Round, Workshop

Kind = Question.Kind
Target = Question.Target

# The range each target may take in the scenario format: (lower bound, upper bound), None for unbounded.
TARGET_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    Target.ATTEMPT_PROBABILITY: (0.0, 1.0),
    Target.OUTCOME_PROBABILITY: (0.0, 1.0),
    Target.DEFENDER_LOSS: (0.0, None),
    Target.DEFENSE_COST: (0.0, None),
    Target.ATTACKER_GAIN: (None, None),
    Target.ATTACK_COST: (None, None),
}

# Defender numbers and probabilities take the pooled mean; attacker numbers keep the pooled distribution.
ATTACKER_TARGETS = (Target.ATTACKER_GAIN, Target.ATTACK_COST)


@dataclass(frozen=True)
class QuestionChoice:
    """One question that a revision's document offers, before it is stored as a ``Question``."""

    kind: str
    target: str
    defense_id: str = ""
    attack_id: str = ""
    outcome_id: str = ""
    text: str = ""
    options: dict[str, Any] = field(default_factory=dict, compare=False)
    current_value: Any = field(default=None, compare=False)

    @property
    def key(self) -> str:
        ids = [part for part in (self.defense_id, self.attack_id, self.outcome_id) if part]
        return f"{self.kind}:{self.target}:{'/'.join(ids)}"


def band_labels(data: dict[str, Any]) -> dict[str, list[str]]:
    """Return the likelihood and consequence band labels of a document's risk matrix, lowest first."""
    matrix = data.get("risk_matrix") or {}
    return {axis: [band["label"] for band in matrix.get(axis) or DEFAULT_RISK_MATRIX[axis]]
            for axis in ("likelihood", "consequence")}


def question_choices(document: ScenarioDocument) -> list[QuestionChoice]:
    """List every question that a workshop on ``document`` may ask, in document order."""
    data = document.data
    defenses = data["defenses"]
    attacks = data["attacks"]
    outcomes = data["outcomes"]
    labels = band_labels(data)
    ratings = (data.get("risk_matrix") or {}).get("ratings") or {}
    choices: list[QuestionChoice] = []

    # The attacker's status quo (an attack without cost that causes no loss under any defense) has
    # no meaningful rating or attempt probability, so neither is asked about it.
    rated = [attack for attack in attacks if not is_null_attack(data, attack)]
    for defense in defenses:
        for attack in rated:
            choices.append(QuestionChoice(
                Kind.MATRIX_CELL, Target.RATING, defense_id=defense["id"], attack_id=attack["id"],
                text=_("Likelihood and consequence of “%(attack)s” under “%(defense)s”")
                % {"attack": attack["name"], "defense": defense["name"]},
                options=labels, current_value=_json_value(ratings.get(defense["id"], {}).get(attack["id"]))))

    for attack in rated:
        text = _("Probability that “%(attack)s” is attempted") % {"attack": attack["name"]}
        current = _json_value(attack.get("attempt_probability"))
        for kind in (Kind.PROBABILITY, Kind.INTERVAL):
            choices.append(_numeric(kind, Target.ATTEMPT_PROBABILITY, text, current, attack_id=attack["id"]))

    for defense in defenses:
        for attack in attacks:
            row = data["probabilities"][defense["id"]][attack["id"]]
            for outcome in outcomes:
                text = (_("p(“%(outcome)s” | “%(defense)s”, “%(attack)s”)")
                        % {"outcome": outcome["name"], "defense": defense["name"], "attack": attack["name"]})
                current = _json_value(row[outcome["id"]])
                for kind in (Kind.PROBABILITY, Kind.INTERVAL):
                    choices.append(_numeric(kind, Target.OUTCOME_PROBABILITY, text, current, defense_id=defense["id"],
                                            attack_id=attack["id"], outcome_id=outcome["id"]))

    for outcome in outcomes:
        choices.append(_numeric(Kind.INTERVAL, Target.DEFENDER_LOSS,
                                _("Defender loss if “%(outcome)s”") % {"outcome": outcome["name"]},
                                _json_value(outcome["defender_loss"]), outcome_id=outcome["id"]))
        choices.append(_numeric(Kind.INTERVAL, Target.ATTACKER_GAIN,
                                _("Attacker gain if “%(outcome)s”") % {"outcome": outcome["name"]},
                                _json_value(outcome["attacker_gain"]), outcome_id=outcome["id"]))
    for attack in attacks:
        choices.append(_numeric(Kind.INTERVAL, Target.ATTACK_COST,
                                _("Attacker's cost of “%(attack)s”") % {"attack": attack["name"]},
                                _json_value(attack.get("cost", Decimal(0))), attack_id=attack["id"]))
    for defense in defenses:
        choices.append(_numeric(Kind.INTERVAL, Target.DEFENSE_COST,
                                _("Cost of the defense “%(defense)s”") % {"defense": defense["name"]},
                                _json_value(defense.get("cost", Decimal(0))), defense_id=defense["id"]))
    return choices


def is_null_attack(data: dict[str, Any], attack: dict[str, Any]) -> bool:
    """Tell whether an attack costs nothing and causes no defender loss under any defense.

    Such an attack is the attacker's status quo ("no attack"): every outcome it can lead to, that
    is every outcome of positive probability under some defense, has a defender loss of 0, and its
    cost is absent or a plain 0. A cost given as a distribution counts as a cost.
    """
    cost = attack.get("cost", 0)
    if isinstance(cost, dict) or cost != 0:
        return False
    losses = {outcome["id"]: outcome["defender_loss"] for outcome in data["outcomes"]}
    for defense in data["defenses"]:
        row = data["probabilities"][defense["id"]][attack["id"]]
        if any(probability > 0 and losses[outcome] != 0 for outcome, probability in row.items()):
            return False
    return True


def _numeric(kind: str, target: str, text: str, current: Any, **ids: str) -> QuestionChoice:
    lower, upper = TARGET_BOUNDS[target]
    return QuestionChoice(kind, target, text=text, options={"lower_bound": lower, "upper_bound": upper},
                          current_value=current, **ids)


def _json_value(value: Any) -> Any:
    """Return a document value as plain JSON, with exact decimals as floats."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=float))


# Access


def workshop_for(request: HttpRequest, pk: int, *, role: int) -> Workshop:
    """Return the workshop if the user has ``role`` in its scenario's organisation.

    Raises Http404 for a non-member, as for an id that does not exist, and PermissionDenied for a
    member whose role is too low.
    """
    workshop = Workshop.objects.select_related("revision__scenario__organisation").filter(pk=pk).first()
    if workshop is None or workshop.revision.scenario.deleted_at is not None:
        raise Http404(_("Not found."))
    access.check_role(request.user, workshop.revision.scenario.organisation, role)
    return workshop


def workshops_for(user, *, role: int) -> QuerySet[Workshop]:
    organisations = access.organisations_for(user, role=role).values("pk")
    return Workshop.objects.filter(revision__scenario__organisation__in=organisations,
                                   revision__scenario__deleted_at__isnull=True).select_related("revision__scenario")


def workshop_by_code(code: str) -> Workshop:
    """Return the workshop with the join code, case-insensitively; 404 when there is none or its scenario is deleted."""
    workshop = (Workshop.objects.select_related("revision__scenario")
                .filter(code=code.strip().upper(), revision__scenario__deleted_at__isnull=True).first())
    if workshop is None:
        raise Http404(_("No workshop has this code."))
    return workshop


def participant_by_token(workshop: Workshop, token: str | None) -> Participant | None:
    """Return the workshop's participant whose secret token this is, or None."""
    from riskapp.workshops.services import token_digest

    if not token:
        return None
    return Participant.objects.filter(workshop=workshop, token_digest=token_digest(token)).first()


# Rounds and judgements


def current_round(workshop: Workshop) -> Round | None:
    return workshop.rounds.order_by("-number").first()


def last_revealed_round(workshop: Workshop, *, before: int | None = None) -> Round | None:
    rounds = workshop.rounds.filter(state=Round.State.REVEALED)
    if before is not None:
        rounds = rounds.filter(number__lt=before)
    return rounds.order_by("-number").first()


def last_closed_round(workshop: Workshop) -> Round | None:
    """Return the last round whose values the facilitator may see: closed or revealed."""
    return workshop.rounds.exclude(state=Round.State.OPEN).order_by("-number").first()


def answer_points(judgement: Judgement) -> dict[str, float]:
    """Return the values of a judgement that the interquartile-range rule compares, by name."""
    kind = judgement.question.kind
    if kind == Kind.MATRIX_CELL:
        return {"likelihood": judgement.likelihood, "consequence": judgement.consequence}
    if kind == Kind.PROBABILITY:
        return {"value": judgement.value}
    return {"best": judgement.best}


def round_spreads(round_: Round) -> dict[int, dict[str, pooling.Spread]]:
    """Return, per question id, the spread of each compared value of the round's judgements."""
    grouped: dict[int, dict[str, list[float]]] = {}
    for judgement in round_.judgements.select_related("question"):
        for name, value in answer_points(judgement).items():
            grouped.setdefault(judgement.question_id, {}).setdefault(name, []).append(value)
    return {question: {name: pooling.spread(values) for name, values in by_name.items()}
            for question, by_name in grouped.items()}


def round_progress(round_: Round) -> dict[int, list[str]]:
    """Return, per question id, the labels of the participants who answered it in the round."""
    answered: dict[int, list[str]] = {}
    rows = round_.judgements.order_by("participant__number").values_list("question_id", "participant__label")
    for question_id, label in rows:
        answered.setdefault(question_id, []).append(label)
    return answered


def round_panel(round_: Round, participants: list[Participant], answered_ids: set[int]) -> list[Participant]:
    """Return the round's panel, in the order of ``participants``.

    The panel is everyone who joined before the round closed and did not leave before it opened,
    and everyone with a judgement in the round (``answered_ids``) whatever the times are, so that
    a count of answers never exceeds the panel. An open round counts as closing now.
    """
    closed = round_.closed_at or timezone.now()
    return [participant for participant in participants
            if participant.pk in answered_ids
            or (participant.joined_at <= closed
                and (participant.left_at is None or participant.left_at > round_.opened_at))]


def target_values(document: ScenarioDocument) -> dict[tuple[str, str, str, str], Any]:
    """Return the value a document holds for each question target, by (target, defense, attack, outcome) ids.

    A matrix cell without a direct rating maps to None; a target the document lacks has no key.
    """
    return {(choice.target, choice.defense_id, choice.attack_id, choice.outcome_id): choice.current_value
            for choice in question_choices(document)}
