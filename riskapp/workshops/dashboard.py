"""The data that the facilitator's dashboard and the participant's page poll, as plain JSON.

While a round is open the data names who answered (labels) and never what. Values become
visible to the facilitator when the round closes (the round is frozen, and pooling a closed round
needs them) and to the participants when it is revealed. The participant's data never contains
labels at all, only their own answers and, after a reveal, the anonymised points of the group.
The exports and the report follow the same rule.
"""

import hashlib
import json
from typing import Any

from riskapp.workshops import pooling, selectors
from riskapp.workshops.models import Judgement, Participant, Question, Round, Workshop

Kind = Question.Kind

SORT_KEYS = {Kind.MATRIX_CELL: ("likelihood", "consequence"), Kind.PROBABILITY: ("value",),
             Kind.INTERVAL: ("best", "low", "high")}


def facilitator_data(workshop: Workshop) -> dict[str, Any]:
    """Return the state, the submission progress per question, and the spread of the last closed or revealed round."""
    questions = list(workshop.questions.order_by("position"))
    participants = list(workshop.participants.order_by("number"))
    current = selectors.current_round(workshop)
    answered = selectors.round_progress(current) if current is not None else {}
    # The same panel as the report's, so that "answers / panel" never exceeds 1 when an expert
    # who answered has left and a late joiner answered too.
    panel = []
    if current is not None:
        answered_ids = set(current.judgements.values_list("participant_id", flat=True))
        panel = selectors.round_panel(current, participants, answered_ids)

    data: dict[str, Any] = {
        "workshop": workshop.pk,
        "round": _round_data(current),
        "participants": [{"label": participant.label, "left": participant.has_left,
                          "answered": sum(participant.label in labels for labels in answered.values())}
                         for participant in participants],
        "panel_count": len(panel),
        "questions": [{"id": question.pk, "position": question.position, "text": question.text,
                       "kind": question.kind, "answered": answered.get(question.pk, []),
                       "answered_count": len(answered.get(question.pk, []))}
                      for question in questions],
        "revealed": None,
    }
    shown = selectors.last_closed_round(workshop)
    if shown is not None:
        data["revealed"] = revealed_data(shown, questions, with_labels=True)
    data["version"] = _version(data)
    return data


def participant_data(workshop: Workshop, participant: Participant) -> dict[str, Any]:
    """Return what one participant may see: the round state, their own answers and the anonymised spread."""
    current = selectors.current_round(workshop)
    own = []
    if current is not None:
        own = list(current.judgements.filter(participant=participant).values_list("question_id", flat=True))
    data = {"round": _round_data(current), "left": participant.has_left, "answered": sorted(own)}
    revealed = selectors.last_revealed_round(workshop)
    data["revealed_round"] = revealed.number if revealed else None
    data["version"] = _version(data)
    return data


def _round_data(round_: Round | None) -> dict[str, Any] | None:
    if round_ is None:
        return None
    return {"number": round_.number, "state": round_.state, "state_label": str(round_.get_state_display())}


def _version(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def revealed_data(round_: Round, questions: list[Question], *, with_labels: bool,
                  own: Participant | None = None) -> dict[str, Any]:
    """Return each question's points and consensus measures in a closed or revealed round.

    ``with_labels`` adds the participant labels, for the facilitator's view, which may show a
    closed round. ``own`` marks that participant's points in the participant's view, which has
    no labels and shows only revealed rounds.
    """
    if round_.is_open or (not with_labels and not round_.is_revealed):
        raise ValueError(f"round {round_.number} is {round_.state}; the facilitator sees a round's values once it "
                         "is closed, the participants once it is revealed")
    by_question: dict[int, list[Judgement]] = {}
    for judgement in round_.judgements.select_related("participant").order_by("participant__number"):
        by_question.setdefault(judgement.question_id, []).append(judgement)

    entries = []
    for question in questions:
        judgements = by_question.get(question.pk, [])
        points = [_point(question, judgement, with_labels=with_labels, own=own) for judgement in judgements]
        if not with_labels:
            # Without labels, ordering by value keeps a participant from matching points across questions.
            points.sort(key=lambda point: tuple(point[name] for name in SORT_KEYS[question.kind]))
        entries.append({"id": question.pk, "position": question.position, "text": question.text,
                        "kind": question.kind, "options": question.options, "points": points,
                        "consensus": consensus(question, judgements, with_labels=with_labels),
                        "rationales": _rationales(judgements, with_labels=with_labels)})
    return {"round": round_.number, "state": round_.state, "questions": entries}


def _rationales(judgements: list[Judgement], *, with_labels: bool) -> list[str]:
    """Return the round's rationales as Delphi feedback: labelled for the facilitator, else in text order.

    Sorting by text keeps a participant from matching a rationale to a point of the plot.
    """
    if with_labels:
        return [f"{j.participant.label}: {j.rationale}" for j in judgements if j.rationale]
    return sorted(j.rationale for j in judgements if j.rationale)


def _point(question: Question, judgement: Judgement, *, with_labels: bool, own: Participant | None) -> dict:
    if question.kind == Kind.MATRIX_CELL:
        point = {"likelihood": judgement.likelihood, "consequence": judgement.consequence}
    elif question.kind == Kind.PROBABILITY:
        point = {"value": judgement.value}
    else:
        point = {"low": judgement.low, "best": judgement.best, "high": judgement.high,
                 "confidence": judgement.confidence}
    if with_labels:
        point["label"] = judgement.participant.label
        point["rationale"] = judgement.rationale
    point["own"] = own is not None and judgement.participant_id == own.pk
    return point


def consensus(question: Question, judgements: list[Judgement], *, with_labels: bool) -> dict[str, Any] | None:
    """Return the question's consensus measures: spread, Tukey outliers, modal share or interval overlap."""
    if not judgements:
        return None
    labels = [judgement.participant.label for judgement in judgements]
    if question.kind == Kind.MATRIX_CELL:
        result = {}
        for axis in ("likelihood", "consequence"):
            categories = [getattr(judgement, axis) for judgement in judgements]
            agreement = pooling.ordinal_agreement(categories, len(question.options[axis]))
            # The band median is the pooled band (a category, ties to the higher band), not the
            # numeric median of the band indexes, which can fall between two bands.
            result[axis] = {**_spread_data(pooling.spread(categories), labels, with_labels),
                            "median": agreement.median, "modal_share": agreement.modal_share}
        return result
    if question.kind == Kind.PROBABILITY:
        return {"value": _spread_data(pooling.spread([j.value for j in judgements]), labels, with_labels)}
    intervals = [pooling.check_interval(j.low, j.best, j.high, j.confidence) for j in judgements]
    overlap = pooling.interval_consensus(intervals)
    return {"best": _spread_data(pooling.spread([j.best for j in judgements]), labels, with_labels),
            "overlap": {"all_overlap": overlap.all_overlap, "overlap_share": overlap.overlap_share,
                        "common": [overlap.common_low, overlap.common_high] if overlap.all_overlap else None,
                        "median_coverage": overlap.median_coverage}}


def _spread_data(spread: pooling.Spread, labels: list[str], with_labels: bool) -> dict[str, Any]:
    data = {"count": spread.count, "median": spread.median, "q1": spread.q1, "q3": spread.q3, "iqr": spread.iqr,
            "low": spread.low, "high": spread.high, "outlier_count": len(spread.outliers)}
    if with_labels:
        data["outliers"] = [labels[index] for index in spread.outliers]
    return data
