"""Writes of workshops: opening, joining and leaving, rounds, judgements, pooling and its application.

Each state change locks the workshop row first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
transactions start with ``BEGIN IMMEDIATE`` in this project), so a judgement cannot slip into a
round that another request is closing, and two joiners never get the same label.
"""

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from riskapp.accounts import audit
from riskapp.accounts.models import AuditEvent
from riskapp.assessments.services import AssessmentRequest, start_assessment
from riskapp.scenarios.format import ScenarioDocument, dump_scenario, parse_scenario
from riskapp.scenarios.limits import configured_limits
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.revision_services import save_revision
from riskapp.scenarios.selectors import revision_document
from riskapp.workshops import pooling, selectors
from riskapp.workshops.document_update import DocumentUpdateError, apply_pooled_values
from riskapp.workshops.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Judgement,
    Participant,
    Pooling,
    Question,
    Round,
    Workshop,
)

logger = logging.getLogger(__name__)

# Limits that keep one workshop's pages, polling answers and pooling small.
MAX_QUESTIONS = 60
MAX_PARTICIPANTS = 100
MAX_ROUNDS = 10
MAX_RATIONALE_CHARS = 4000
# Judged numbers above this magnitude are rejected; they exceed any loss, gain or cost a scenario states.
MAX_MAGNITUDE = 1e15

Kind = Question.Kind


class WorkshopError(ValueError):
    """A workshop action breaks a rule; the message names the field, the value and the rule.

    ``form_field`` names the answer-form field at fault (``q<question id>-<part>``), when there is one.
    ``problems`` lists every problem of a rejected submission, each with its own field. For a
    single error it is ``[self]``.
    """

    def __init__(self, message: str, *, form_field: str | None = None,
                 problems: list["WorkshopError"] | None = None) -> None:
        super().__init__(message)
        self.form_field = form_field
        self.problems = problems or [self]

    @classmethod
    def combined(cls, problems: list["WorkshopError"]) -> "WorkshopError":
        """Return one error that carries every problem; a single problem is returned as it is."""
        if len(problems) == 1:
            return problems[0]
        return cls("; ".join(str(problem) for problem in problems), problems=problems)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def _lock(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


# Opening a workshop


def open_workshop(revision: ScenarioRevision, *, title: str, questions: list[str], instructions: str = "",
                  user: AbstractBaseUser | None = None) -> Workshop:
    """Create a workshop on ``revision`` asking the questions whose keys are listed, in that order."""
    title = title.strip()
    if not title:
        raise WorkshopError(_("title: the title is empty; give the workshop a title"))
    if not questions:
        raise WorkshopError(_("questions: no question chosen; choose at least one"))
    if len(questions) > MAX_QUESTIONS:
        raise WorkshopError(ngettext("questions: %(count)d chosen; a workshop asks at most %(limit)d",
                                     "questions: %(count)d chosen; a workshop asks at most %(limit)d", len(questions))
                            % {"count": len(questions), "limit": MAX_QUESTIONS})
    offered = {choice.key: choice for choice in selectors.question_choices(revision_document(revision))}
    chosen = []
    for key in dict.fromkeys(questions):
        if key not in offered:
            raise WorkshopError(_("questions: %(key)r is not a question that revision %(number)d offers")
                                % {"key": key, "number": revision.number})
        chosen.append(offered[key])

    for _attempt in range(5):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(revision=revision, title=title[:200], instructions=instructions,
                                                   code=_new_code(), created_by=user)
                break
        except IntegrityError:
            # A code collision: 23^8 codes make it rare, so another draw succeeds.
            continue
    else:
        raise WorkshopError(_("code: no unused join code found after 5 draws; try again"))

    Question.objects.bulk_create([
        Question(workshop=workshop, position=position, kind=choice.kind, target=choice.target,
                 defense_id=choice.defense_id, attack_id=choice.attack_id, outcome_id=choice.outcome_id,
                 text=choice.text[:500], options=choice.options, current_value=choice.current_value)
        for position, choice in enumerate(chosen, start=1)
    ])
    audit.record(user, revision.scenario.organisation, AuditEvent.Action.CREATE, workshop,
                 f"Opened workshop “{workshop.title}” on {revision} with {len(chosen)} questions")
    logger.info("Opened workshop %s on revision %s with %d questions", workshop.pk, revision.pk, len(chosen))
    return workshop


# Rounds


def open_round(workshop: Workshop, *, user: AbstractBaseUser | None = None) -> Round:
    """Open the next round; the previous one must have been revealed, so experts revise with feedback."""
    with transaction.atomic():
        locked = _lock(workshop)
        last = locked.rounds.order_by("-number").first()
        if last is not None and not last.is_revealed:
            raise WorkshopError(_("round: round %(number)d is %(state)s; reveal it before opening the next round")
                                % {"number": last.number, "state": last.get_state_display()})
        number = 1 if last is None else last.number + 1
        if number > MAX_ROUNDS:
            raise WorkshopError(_("round: a workshop has at most %(limit)d rounds") % {"limit": MAX_ROUNDS})
        round_ = Round.objects.create(workshop=locked, number=number)
        _audit_round(user, round_, AuditEvent.Action.OPEN, "Opened")
    return round_


def close_round(round_: Round, *, user: AbstractBaseUser | None = None) -> Round:
    """Stop accepting judgements in an open round."""
    return _advance(round_, Round.State.OPEN, Round.State.CLOSED, "closed_at", user=user,
                    action=AuditEvent.Action.CLOSE, verb="Closed")


def reveal_round(round_: Round, *, user: AbstractBaseUser | None = None) -> Round:
    """Show a closed round's anonymised spread to the participants and the facilitator."""
    return _advance(round_, Round.State.CLOSED, Round.State.REVEALED, "revealed_at", user=user,
                    action=AuditEvent.Action.REVEAL, verb="Revealed")


def _advance(round_: Round, before: str, after: str, timestamp: str, *, user, action: str, verb: str) -> Round:
    with transaction.atomic():
        _lock(round_.workshop)
        locked = Round.objects.select_related("workshop__revision__scenario__organisation").get(pk=round_.pk)
        if locked.state != before:
            # One sentence per required state, so that each language can choose its article.
            rule = (_("only an open round can be closed") if before == Round.State.OPEN
                    else _("only a closed round can be revealed"))
            raise WorkshopError(_("round: round %(number)d is %(state)s, so it cannot be %(after)s; %(rule)s")
                                % {"number": locked.number, "state": locked.get_state_display(),
                                   "after": Round.State(after).label, "rule": rule})
        locked.state = after
        setattr(locked, timestamp, timezone.now())
        locked.save(update_fields=["state", timestamp])
        _audit_round(user, locked, action, verb)
    return locked


def _audit_round(user, round_: Round, action: str, verb: str) -> None:
    workshop = round_.workshop
    audit.record(user, workshop.revision.scenario.organisation, action, round_,
                 f"{verb} round {round_.number} of workshop “{workshop.title}” ({workshop.pk})")
    logger.info("%s round %d of workshop %s", verb, round_.number, workshop.pk)


# Participants


def join_workshop(workshop: Workshop) -> tuple[Participant, str]:
    """Add an anonymous participant with the next label; return it and its secret token for the session."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _lock(workshop)
        count = locked.participants.count()
        if count >= MAX_PARTICIPANTS:
            raise WorkshopError(ngettext("participants: the workshop already has %(count)d; at most %(limit)d may join",
                                         "participants: the workshop already has %(count)d; at most %(limit)d may join",
                                         count) % {"count": count, "limit": MAX_PARTICIPANTS})
        number = (locked.participants.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        participant = Participant.objects.create(workshop=locked, number=number, label=f"E{number}",
                                                 token_digest=token_digest(token))
    logger.info("Participant %s joined workshop %s", participant.label, workshop.pk)
    return participant, token


def leave_workshop(participant: Participant) -> Participant:
    """Mark the participant as gone; their judgements stay and count in pooling."""
    with transaction.atomic():
        _lock(participant.workshop)
        locked = Participant.objects.get(pk=participant.pk)
        if locked.left_at is None:
            locked.left_at = timezone.now()
            locked.save(update_fields=["left_at"])
    logger.info("Participant %s left workshop %s", locked.label, locked.workshop_id)
    return locked


# Judgements


@dataclass(frozen=True)
class Answer:
    """One answer as a form cleans it: the fields of the question's kind, the others None."""

    likelihood: int | None = None
    consequence: int | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    best: float | None = None
    confidence: float | None = None
    rationale: str = ""


def submit_judgements(participant: Participant, answers: dict[int, Answer]) -> list[Judgement]:
    """Store the participant's answers, by question id, in the workshop's open round.

    Every answer is checked before any is stored, so a rejected submission stores nothing, and
    the error lists the problems of every answer at once in its ``problems``. A second
    submission in the same round replaces the first. Raises WorkshopError when no round is
    open, the participant has left, a value breaks its question's rule, or a rationale is
    missing for an answer outside the interquartile range of the previous revealed round.
    """
    workshop = participant.workshop
    with transaction.atomic():
        _lock(workshop)
        participant = Participant.objects.get(pk=participant.pk)
        if participant.has_left:
            raise WorkshopError(_("participant: %(label)s has left the workshop and cannot answer again")
                                % {"label": participant.label})
        round_ = selectors.current_round(workshop)
        if round_ is None:
            raise WorkshopError(_("round: no round has been opened yet; answers are accepted only while a round "
                                  "is open"))
        if not round_.is_open:
            raise WorkshopError(_("round: round %(number)d is %(state)s; answers are accepted only while a round is "
                                  "open") % {"number": round_.number, "state": round_.get_state_display()})
        checked, problems = _checked_answers(workshop, round_, answers)
        if problems:
            raise WorkshopError.combined(problems)
        questions = {question.pk: question for question in workshop.questions.all()}
        stored = []
        for question_id, fields in checked.items():
            judgement, _created = Judgement.objects.update_or_create(
                round=round_, question=questions[question_id], participant=participant, defaults=fields)
            stored.append(judgement)
    logger.info("Stored %d judgements of %s in round %d of workshop %s", len(stored), participant.label,
                round_.number, workshop.pk)
    return stored


def check_answers(participant: Participant, answers: dict[int, Answer]) -> list[WorkshopError]:
    """Return every problem of the answers against the open round's rules, storing nothing.

    The answer page calls it for the answers that passed the form, so that one submission shows
    the problems of every question at once, also when other questions failed the form's checks.
    """
    round_ = selectors.current_round(participant.workshop)
    if round_ is None:
        return []
    return _checked_answers(participant.workshop, round_, answers)[1]


def _checked_answers(workshop: Workshop, round_: Round,
                     answers: dict[int, Answer]) -> tuple[dict[int, dict[str, Any]], list[WorkshopError]]:
    """Check every answer; return the judgement fields of the valid ones and the problems of all, by position."""
    questions = {question.pk: question for question in workshop.questions.all()}
    previous = selectors.last_revealed_round(workshop, before=round_.number)
    spreads = selectors.round_spreads(previous) if previous is not None else {}
    checked: dict[int, dict[str, Any]] = {}
    problems: list[tuple[int, WorkshopError]] = []
    for question_id, answer in answers.items():
        question = questions.get(question_id)
        if question is None:
            problems.append((0, WorkshopError(_("question: %(id)r is not a question of this workshop")
                                              % {"id": question_id})))
            continue
        question_problems: list[WorkshopError] = []
        fields = _checked_fields(question, answer, question_problems)
        outside = "" if fields is None else _outside_group_iqr(question, fields, spreads.get(question_id, {}))
        if outside and not answer.rationale.strip():
            question_problems.append(WorkshopError(
                _("Q%(position)d.rationale: missing; your %(value)s lies outside the group's interquartile "
                  "range of round %(number)d, so give your reasons")
                % {"position": question.position, "value": outside, "number": previous.number},
                form_field=f"q{question.pk}-rationale"))
        problems.extend((question.position, problem) for problem in question_problems)
        if fields is not None and not question_problems:
            checked[question_id] = {**fields, "rationale": answer.rationale.strip(),
                                    "outside_group_iqr": bool(outside)}
    problems.sort(key=lambda item: item[0])
    return checked, [problem for _position, problem in problems]


def _checked_fields(question: Question, answer: Answer, problems: list[WorkshopError]) -> dict[str, Any] | None:
    """Return the judgement fields of a valid answer; else append each of its problems and return None."""
    field = f"Q{question.position}"
    empty = dict.fromkeys(("likelihood", "consequence", "value", "low", "high", "best", "confidence"))
    before = len(problems)
    if len(answer.rationale) > MAX_RATIONALE_CHARS:
        problems.append(WorkshopError(
            ngettext("%(field)s.rationale: %(count)d character; at most %(limit)d are allowed",
                     "%(field)s.rationale: %(count)d characters; at most %(limit)d are allowed",
                     len(answer.rationale))
            % {"field": field, "count": len(answer.rationale), "limit": MAX_RATIONALE_CHARS},
            form_field=f"q{question.pk}-rationale"))

    if question.kind == Kind.MATRIX_CELL:
        for axis in ("likelihood", "consequence"):
            index = getattr(answer, axis)
            count = len(question.options[axis])
            if index is None or isinstance(index, bool) or not 0 <= index < count:
                problems.append(WorkshopError(
                    ngettext("%(field)s.%(axis)s: %(index)r is not a band; choose the %(count)d band",
                             "%(field)s.%(axis)s: %(index)r is not a band; choose one of the %(count)d bands", count)
                    % {"field": field, "axis": axis, "index": index, "count": count},
                    form_field=f"q{question.pk}-{axis}"))
        if len(problems) > before:
            return None
        return {**empty, "likelihood": answer.likelihood, "consequence": answer.consequence}

    if question.kind == Kind.PROBABILITY:
        value = answer.value
        if value is None or not math.isfinite(value) or not 0 <= value <= 1:
            problems.append(WorkshopError(_("%(field)s.value: %(value)s is not a probability; it must lie in [0, 1]")
                                          % {"field": field, "value": _typed(value)},
                                          form_field=f"q{question.pk}-value"))
        if len(problems) > before:
            return None
        return {**empty, "value": value}

    bounds = (question.options.get("lower_bound"), question.options.get("upper_bound"))
    for name in ("low", "high", "best", "confidence"):
        number = getattr(answer, name)
        if isinstance(number, bool) or not isinstance(number, (int, float, Decimal)) or not math.isfinite(number):
            problems.append(WorkshopError(_("%(field)s.%(name)s: %(value)r is not a finite number")
                                          % {"field": field, "name": name, "value": number},
                                          form_field=f"q{question.pk}-{name}"))
        elif name != "confidence" and abs(number) > MAX_MAGNITUDE:
            problems.append(WorkshopError(
                _("%(field)s.%(name)s: %(value)s is too large; the magnitude must be at most %(limit)g")
                % {"field": field, "name": name, "value": _typed(number), "limit": MAX_MAGNITUDE},
                form_field=f"q{question.pk}-{name}"))
    if len(problems) > before:
        return None
    problems.extend(interval_problems(question, answer.low, answer.best, answer.high, answer.confidence))
    if len(problems) > before:
        return None
    interval = pooling.check_interval(answer.low, answer.best, answer.high, answer.confidence, bounds=bounds)
    return {**empty, "low": interval.low, "best": interval.best, "high": interval.high,
            "confidence": interval.confidence}


def interval_problems(question: Question, low: float, best: float, high: float,
                      confidence: float | None = None) -> list[WorkshopError]:
    """Return every problem of a four-step answer at once: order, best guess, confidence and bounds.

    ``confidence`` is a fraction; ``None`` leaves it unchecked, for a form that checks the percentage
    itself. A best guess is reported only when it lies outside both ends, so that a reversed
    interval with a best guess between its ends gives one problem, not two.
    """
    field = f"Q{question.position}"
    form_field = f"q{question.pk}-"
    problems = []
    if low > high:
        problems.append(WorkshopError(
            _("%(field)s.low: %(low)s exceeds high %(high)s; the lowest plausible value must be <= the highest")
            % {"field": field, "low": number_text(low), "high": number_text(high)}, form_field=form_field + "low"))
    if not min(low, high) <= best <= max(low, high):
        problems.append(WorkshopError(
            _("%(field)s.best: %(best)s lies outside [low, high] = [%(low)s, %(high)s]; the best guess must lie "
              "in the interval") % {"field": field, "best": number_text(best), "low": number_text(low),
                                    "high": number_text(high)}, form_field=form_field + "best"))
    if confidence is not None and not 0 < confidence <= 1:
        problems.append(WorkshopError(
            _("%(field)s.confidence: %(value)s lies outside (0, 1]; give the probability that the interval holds "
              "the true value, as a fraction above 0 and at most 1")
            % {"field": field, "value": number_text(confidence)},
            form_field=form_field + "confidence"))
    lower, upper = question.options.get("lower_bound"), question.options.get("upper_bound")
    for name, value in (("low", low), ("best", best), ("high", high)):
        if lower is not None and value < lower:
            problems.append(WorkshopError(
                _("%(field)s.%(name)s: %(value)s is below the lower bound %(bound)s of this quantity")
                % {"field": field, "name": name, "value": number_text(value), "bound": number_text(lower)},
                form_field=form_field + name))
        if upper is not None and value > upper:
            problems.append(WorkshopError(
                _("%(field)s.%(name)s: %(value)s is above the upper bound %(bound)s of this quantity")
                % {"field": field, "name": name, "value": number_text(value), "bound": number_text(upper)},
                form_field=form_field + name))
    return problems


def _outside_group_iqr(question: Question, fields: dict[str, Any], spreads: dict[str, pooling.Spread]) -> str:
    """Describe the first compared value outside the previous revealed round's interquartile range, or return ''."""
    names = {"likelihood": _("likelihood band"), "consequence": _("consequence band"), "value": _("probability"),
             "best": _("best guess")}
    for name, group in spreads.items():
        value = fields[name]
        if value is None or not pooling.outside_iqr(value, group):
            continue
        if name in ("likelihood", "consequence"):
            bands = question.options[name]
            return _("%(name)s %(value)s (range %(range)s)") % {
                "name": names[name], "value": bands[value], "range": band_range_text(bands, group.q1, group.q3)}
        return _("%(name)s %(value)s (range [%(q1)s, %(q3)s])") % {
            "name": names[name], "value": number_text(value), "q1": number_text(group.q1),
            "q3": number_text(group.q3)}
    return ""


def _typed(value: Any) -> str:
    """Write a number in the short format of ``number_text`` and anything else as Python writes it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return number_text(value)
    return repr(value)


def number_text(value: float | int | None) -> str:
    """Write a judged number in a short general format: up to 6 significant digits, no trailing zeros.

    An integral value is written without a decimal point, so 0.35 stays "0.35" and 80.0 is "80".
    """
    if value is None:
        return "—"
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def band_range_text(bands: list[str], q1: float, q3: float) -> str:
    """Write the interquartile range of band indexes by its bounds, named by band labels.

    A quartile that falls between two bands (a fractional index) is written "between A and B",
    so that an expert sees where the range lies, not only how wide it is.
    """
    if float(q1).is_integer() and float(q3).is_integer():
        if q1 == q3:
            return bands[int(q1)]
        return _("%(low)s to %(high)s") % {"low": bands[int(q1)], "high": bands[int(q3)]}
    if q1 == q3:
        return _quartile_band_text(bands, q1)
    return _("from %(low)s to %(high)s") % {"low": _quartile_band_text(bands, q1),
                                             "high": _quartile_band_text(bands, q3)}


def _quartile_band_text(bands: list[str], quartile: float) -> str:
    if float(quartile).is_integer():
        return bands[int(quartile)]
    below = math.floor(quartile)
    return _("between %(below)s and %(above)s") % {"below": bands[below], "above": bands[below + 1]}


# Pooling


def pool_round(round_: Round, *, method: str, weights: dict[str, float] | None = None,
               user: AbstractBaseUser | None = None) -> Pooling:
    """Pool a closed or revealed round with ``method`` and store the result as a ``Pooling`` row.

    ``weights`` maps participant labels to non-negative numbers. The weighted linear pool requires
    it and the other methods reject it. Each question's pool renormalises the weights of the
    participants who answered that question. Raises WorkshopError for an open round, a round
    without judgements or invalid weights.
    """
    # Read the state again: the caller's instance may predate a close or reveal.
    round_ = Round.objects.select_related("workshop__revision__scenario__organisation").get(pk=round_.pk)
    workshop = round_.workshop
    if method not in Pooling.Method.values:
        raise WorkshopError(_("method: %(method)r is not one of %(methods)s")
                            % {"method": method, "methods": ", ".join(Pooling.Method.values)})
    if round_.is_open:
        raise WorkshopError(_("round: round %(number)d is still open; close it before pooling")
                            % {"number": round_.number})
    judgements = list(round_.judgements.select_related("participant", "question").order_by("participant__number"))
    if not judgements:
        raise WorkshopError(_("round: round %(number)d has no judgements, so there is nothing to pool")
                            % {"number": round_.number})

    labels = list(dict.fromkeys(judgement.participant.label for judgement in judgements))
    label_weights = _checked_weights(method, weights, labels, workshop)
    by_question: dict[int, list[Judgement]] = {}
    for judgement in judgements:
        by_question.setdefault(judgement.question_id, []).append(judgement)

    values = []
    for question in workshop.questions.order_by("position"):
        answered = by_question.get(question.pk, [])
        question_weights = None if label_weights is None else [label_weights[j.participant.label] for j in answered]
        values.append(pooled_entry(question, answered, method=method, weights=question_weights))

    with transaction.atomic():
        result = Pooling.objects.create(round=round_, method=method, weights=_normalised(label_weights, labels),
                                        values=values, created_by=user)
        audit.record(user, workshop.revision.scenario.organisation, AuditEvent.Action.POOL, result,
                     f"Pooled round {round_.number} of workshop “{workshop.title}” ({workshop.pk}) with "
                     f"{result.get_method_display()}, weights {_weights_text(result.weights)}")
    return result


def _checked_weights(method: str, weights: dict[str, float] | None, labels: list[str],
                     workshop: Workshop) -> dict[str, float] | None:
    if method != Pooling.Method.WEIGHTED_LINEAR:
        if weights:
            raise WorkshopError(_("weights: given for the %(method)s method, which weighs every expert equally; "
                                  "choose the weighted linear pool") % {"method": method})
        return None
    if not weights:
        raise WorkshopError(_("weights: missing; the weighted linear pool needs a weight for each participant"))
    known = set(workshop.participants.values_list("label", flat=True))
    for label, weight in weights.items():
        if label not in known:
            raise WorkshopError(_("weights.%(label)s: not a participant of this workshop") % {"label": label})
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) \
                or weight < 0:
            raise WorkshopError(_("weights.%(label)s: %(weight)r is not a finite number >= 0")
                                % {"label": label, "weight": weight})
    for label in labels:
        if label not in weights:
            raise WorkshopError(_("weights.%(label)s: missing; every participant who answered needs a weight")
                                % {"label": label})
    if sum(weights[label] for label in labels) <= 0:
        raise WorkshopError(_("weights: every weight of the participants who answered is 0; at least one must be "
                              "positive"))
    return {label: float(weights[label]) for label in labels}


def _normalised(weights: dict[str, float] | None, labels: list[str]) -> dict[str, float]:
    normalised = pooling.normalise_weights(None if weights is None else [weights[label] for label in labels],
                                           len(labels))
    return dict(zip(labels, normalised, strict=True))


def _weights_text(weights: dict[str, float]) -> str:
    return ", ".join(f"{label} {weight:.4g}" for label, weight in weights.items())


def pooled_entry(question: Question, judgements: list[Judgement], *, method: str,
                 weights: list[float] | None) -> dict[str, Any]:
    """Pool one question's judgements; the entry's ``result`` is None when no participant answered it."""
    entry: dict[str, Any] = {
        "question": question.pk, "position": question.position, "key": question.key, "kind": question.kind,
        "target": question.target, "defense_id": question.defense_id, "attack_id": question.attack_id,
        "outcome_id": question.outcome_id, "text": question.text, "current_value": question.current_value,
        "respondents": [judgement.participant.label for judgement in judgements],
        "respondent_count": len(judgements), "result": None,
    }
    if not judgements:
        return entry

    if question.kind == Kind.MATRIX_CELL:
        labels = question.options
        likelihood = pooling.pool_ordinal([j.likelihood for j in judgements], weights)
        consequence = pooling.pool_ordinal([j.consequence for j in judgements], weights)
        # Each axis takes its median band on its own, so the pair may be one that no expert gave;
        # the preview says so, and names the lower band of an even split resolved upward.
        split_upward = {}
        for axis, pooled in (("likelihood", likelihood), ("consequence", consequence)):
            lower = _split_below([getattr(j, axis) for j in judgements], weights, pooled)
            if lower is not None:
                split_upward[axis] = labels[axis][lower]
        entry["result"] = {"likelihood": labels["likelihood"][likelihood],
                           "consequence": labels["consequence"][consequence],
                           "likelihood_index": likelihood, "consequence_index": consequence,
                           "pair_given": (likelihood, consequence) in {(j.likelihood, j.consequence)
                                                                      for j in judgements},
                           "split_upward": split_upward}
    elif question.kind == Kind.PROBABILITY:
        value = pooling.pool_points([j.value for j in judgements], weights)
        entry["result"] = {"value": value, "scenario_value": value}
    else:
        entry["result"] = _pooled_interval(question, judgements, method=method, weights=weights)
    return entry


def _split_below(categories: list[int], weights: list[float] | None, pooled: int) -> int | None:
    """Return the lower band of an even split that the pooled band resolved upward, or None without a split.

    The weighted median of bands (``pooling.pool_ordinal``) goes to the higher band when exactly
    half the weight lies below it. The lower band of that split is the highest band given below it.
    """
    normalised = pooling.normalise_weights(weights, len(categories))
    below = [(category, weight) for category, weight in zip(categories, normalised, strict=True)
             if category < pooled and weight > 0]
    if sum(weight for _category, weight in below) < 0.5 - pooling.TIE_TOLERANCE:
        return None
    return max(category for category, _weight in below)


def matrix_cell_notes(result: dict) -> list[str]:
    """Return the notes on a pooled matrix cell: a pair that no expert gave, and each even split resolved upward.

    Poolings stored before these keys existed have neither, so they get no notes.
    """
    notes = []
    if result.get("pair_given") is False:
        notes.append(_("No expert gave this pair: each axis takes its own median band."))
    names = {"likelihood": _("Likelihood"), "consequence": _("Consequence")}
    for axis, lower in (result.get("split_upward") or {}).items():
        notes.append(_("%(axis)s: the weight splits evenly between %(lower)s and %(higher)s; the higher band is "
                       "taken, as the cautious choice.") % {"axis": names[axis], "lower": lower,
                                                            "higher": result[axis]})
    return notes


def _pooled_interval(question: Question, judgements: list[Judgement], *, method: str,
                     weights: list[float] | None) -> dict[str, Any]:
    bounds = (question.options.get("lower_bound"), question.options.get("upper_bound"))
    intervals = [pooling.check_interval(j.low, j.best, j.high, j.confidence, bounds=bounds) for j in judgements]
    support = pooling.background_range(intervals, bounds=bounds)
    distributions = [pooling.interval_distribution(interval, support=support) for interval in intervals]
    if method == Pooling.Method.QUANTILE_AVERAGE:
        pooled = pooling.quantile_average(distributions, weights)
    else:
        pooled = pooling.linear_pool(distributions, weights)

    mean = pooled.mean()
    scenario_value = mean
    if question.target in selectors.ATTACKER_TARGETS:
        # The JSON column cannot hold Decimals. A decimal of at most 15 significant digits (this one
        # has 10) turns back into itself through the float's shortest repr in to_decimals.
        scenario_value = _json_floats(pooling.to_scenario_number(pooled))
    return {
        "mean": mean, "median": pooled.median(),
        "quantiles": {str(p): pooled.quantile(p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)},
        "support": list(support), "scenario_value": scenario_value,
    }


def _json_floats(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _json_floats(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_floats(item) for item in value]
    return value


def provenance_text(pooling_row: Pooling) -> str:
    """Return the comment of a revision made from a pooling: workshop, round, method and weights.

    The comment is read by people, so the method is named by its label; the code stays in
    ``Pooling.method`` and the JSON export.
    """
    round_ = pooling_row.round
    workshop = round_.workshop
    return (f"Pooled from workshop “{workshop.title}” (id {workshop.pk}, code {workshop.code}), round "
            f"{round_.number}, method: {pooling_row.get_method_display()}, pooling "
            f"{pooling_row.pk}, weights {_weights_text(pooling_row.weights)}")


def apply_pooling(pooling_row: Pooling, *, base_revision: int, user: AbstractBaseUser | None = None,
                  assessment_request: AssessmentRequest | None = None) -> Pooling:
    """Write the pooled values into the scenario's latest revision as a new revision and assess it.

    ``base_revision`` is the latest revision number that the facilitator saw on the preview; a
    revision saved since raises ``StaleRevisionError`` and stores nothing. The new document goes
    through the scenario parser, so an invalid value raises its ``ScenarioFormatError``. The new
    revision, the assessment with every engine and the pooling's provenance are stored in one
    transaction.
    """
    round_ = pooling_row.round
    scenario = round_.workshop.revision.scenario
    request = assessment_request or AssessmentRequest()
    with transaction.atomic():
        locked = Pooling.objects.select_for_update().get(pk=pooling_row.pk)
        if locked.revision_id is not None:
            raise WorkshopError(_("pooling: pooling %(id)d was already applied as revision %(number)d")
                                % {"id": locked.pk, "number": locked.revision.number})
        base = scenario.revisions.filter(number=base_revision).first()
        if base is None:
            raise WorkshopError(_("base_revision: %(value)r is not a revision of scenario %(slug)s")
                                % {"value": base_revision, "slug": scenario.slug})
        try:
            data = apply_pooled_values(revision_document(base).data, locked.values)
        except DocumentUpdateError as error:
            raise WorkshopError(str(error)) from error
        document = parse_scenario(dump_scenario(ScenarioDocument(data=data, digest=""), syntax="json"),
                                  syntax="json", limits=configured_limits())

        comment = provenance_text(locked)
        revision = save_revision(scenario, document, base_revision=base_revision,
                                 origin=ScenarioRevision.Origin.WORKSHOP, author=user, comment=comment)
        assessment = start_assessment(revision, request, user=user)
        locked.revision = revision
        locked.base_revision = base
        locked.assessment = assessment
        locked.provenance = comment
        locked.applied_at = timezone.now()
        locked.applied_by = user
        locked.save(update_fields=["revision", "base_revision", "assessment", "provenance", "applied_at",
                                   "applied_by"])
        audit.record(user, scenario.organisation, AuditEvent.Action.APPLY, locked,
                     f"Applied pooling {locked.pk} as revision {revision.number} of “{scenario.title}”: {comment}")
    logger.info("Applied pooling %s of workshop %s as revision %s", locked.pk, round_.workshop_id, revision.pk)
    return locked
