"""Downloads of a workshop: every judgement as CSV or JSON, and the workshop report as HTML.

Participants appear only by their labels (E1, E2, …). The facilitator sees a round's values once
it closes, as on the dashboard, and the experts once it is revealed. The exports therefore contain
closed and revealed rounds. An open round's judgements are left out, and the exports state it.
The PDF is the report's HTML printed by Chromium (``riskapp.reports.pdf``).

Both data exports stream their rows, so a workshop at the services' limits (60 questions,
100 participants, 10 rounds, rationales of 4000 characters) never sits in memory as one text.
"""

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from plotly.offline import get_plotlyjs

from riskapp.reports.exports import FILENAME_MAX_TITLE, FILENAME_UNSAFE, spreadsheet_safe
from riskapp.reports.exports import _inline_script as inline_script
from riskapp.reports.exports import _read_static as read_static
from riskapp.workshops import dashboard, selectors
from riskapp.workshops.models import Judgement, Participant, Pooling, Question, Round, Workshop
from riskapp.workshops.services import band_range_text, matrix_cell_notes

EXPORT_FORMAT = "riskapp-workshop-export/1"

CSV_COLUMNS = [
    "workshop_code",
    "workshop_title",
    "scenario_slug",
    "revision_number",
    "round_number",
    "round_state",
    "question_position",
    "question_key",
    "question_kind",
    "question_target",
    "defense_id",
    "attack_id",
    "outcome_id",
    "question_text",
    "participant",
    "likelihood",
    "likelihood_index",
    "consequence",
    "consequence_index",
    "value",
    "low",
    "best",
    "high",
    "confidence",
    "rationale",
    "outside_group_iqr",
    "submitted_at",
    "updated_at",
]

# Rows are read from the database in batches of this size while the response streams.
CHUNK_SIZE = 500


@dataclass(frozen=True)
class ExportScope:
    """The rounds that an export covers, fixed once so that every part of one download agrees."""

    workshop: Workshop
    rounds: list[Round]
    open_round: Round | None

    @property
    def exported_rounds(self) -> list[Round]:
        return [round_ for round_ in self.rounds if not round_.is_open]

    @property
    def omitted_note(self) -> str | None:
        """Return the sentence that says which round's judgements are left out, or None."""
        if self.open_round is None:
            return None
        return _("Round %(number)d is open: its judgements are private until the round closes and are left "
                 "out of this export.") % {"number": self.open_round.number}


def export_scope(workshop: Workshop) -> ExportScope:
    rounds = list(workshop.rounds.order_by("number"))
    open_round = next((round_ for round_ in rounds if round_.is_open), None)
    return ExportScope(workshop=workshop, rounds=rounds, open_round=open_round)


def export_filename(workshop: Workshop, extension: str) -> str:
    """Return a download name from the workshop's title and join code, keeping non-ASCII letters."""
    title = FILENAME_UNSAFE.sub(" ", workshop.title)
    title = " ".join(title.split())[:FILENAME_MAX_TITLE].strip(" .") or "workshop"
    return f"{title} ({workshop.code}).{extension}"


def iso_utc(moment: datetime | None) -> str | None:
    """Write a time as ISO 8601 in UTC with microseconds, such as ``2026-12-04T23:27:34.120000Z``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Judgement rows


def exported_judgements(scope: ExportScope) -> Iterator[Judgement]:
    """Yield the judgements of the scope's closed and revealed rounds by round, question and label."""
    round_ids = [round_.pk for round_ in scope.exported_rounds]
    queryset = (Judgement.objects.filter(round_id__in=round_ids)
                .select_related("round", "question", "participant")
                .order_by("round__number", "question__position", "participant__number"))
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def judgement_row(scope: ExportScope, judgement: Judgement) -> dict[str, Any]:
    """Return one judgement as a flat record with the columns of ``CSV_COLUMNS``."""
    workshop = scope.workshop
    revision = workshop.revision
    question = judgement.question
    round_ = judgement.round
    return {
        "workshop_code": workshop.code,
        "workshop_title": workshop.title,
        "scenario_slug": revision.scenario.slug,
        "revision_number": revision.number,
        "round_number": round_.number,
        "round_state": round_.state,
        "question_position": question.position,
        "question_key": question.key,
        "question_kind": question.kind,
        "question_target": question.target,
        "defense_id": question.defense_id,
        "attack_id": question.attack_id,
        "outcome_id": question.outcome_id,
        "question_text": question.text,
        "participant": judgement.participant.label,
        "likelihood": band_label(question, "likelihood", judgement.likelihood),
        "likelihood_index": judgement.likelihood,
        "consequence": band_label(question, "consequence", judgement.consequence),
        "consequence_index": judgement.consequence,
        "value": judgement.value,
        "low": judgement.low,
        "best": judgement.best,
        "high": judgement.high,
        "confidence": judgement.confidence,
        "rationale": judgement.rationale,
        "outside_group_iqr": judgement.outside_group_iqr,
        "submitted_at": iso_utc(judgement.submitted_at),
        "updated_at": iso_utc(judgement.updated_at),
    }


def band_label(question: Question, axis: str, index: int | None) -> str | None:
    """Return the label of a band index on one axis of a matrix-cell question, None when unset."""
    if index is None:
        return None
    labels = (question.options or {}).get(axis) or []
    return labels[index] if 0 <= index < len(labels) else None


# CSV


class _Line:
    """A file-like object whose ``write`` returns the text, so csv.writer can feed a stream."""

    def write(self, text: str) -> str:
        return text


def iter_csv(scope: ExportScope) -> Iterator[str]:
    """Yield the CSV export: a byte order mark, the note on an open round, the header and one row per judgement.

    The note is a first line starting with ``#``, written only while a round is open. Readers that
    accept comment lines (pandas ``comment="#"``) skip it, and a spreadsheet shows it in the first
    cell. Every cell passes ``spreadsheet_safe``, so no text runs as a formula.
    """
    writer = csv.writer(_Line())
    # The byte order mark lets spreadsheets read the UTF-8 names and rationales.
    yield "\ufeff"
    if scope.omitted_note:
        yield writer.writerow([f"# {scope.omitted_note}"])
    yield writer.writerow(CSV_COLUMNS)
    for judgement in exported_judgements(scope):
        row = judgement_row(scope, judgement)
        yield writer.writerow([spreadsheet_safe(row[column]) for column in CSV_COLUMNS])


# JSON


def export_header(scope: ExportScope) -> dict[str, Any]:
    """Return the JSON export without its judgements: workshop, questions, rounds, participants and poolings."""
    workshop = scope.workshop
    revision = workshop.revision
    return {
        "format": EXPORT_FORMAT,
        "workshop": {"code": workshop.code, "title": workshop.title, "instructions": workshop.instructions,
                     "created_at": iso_utc(workshop.created_at)},
        "scenario": {"slug": revision.scenario.slug, "title": revision.scenario.title,
                     "revision": revision.number, "digest": revision.digest},
        "omitted": None if scope.open_round is None else {
            "round": scope.open_round.number, "reason": scope.omitted_note},
        "questions": [question_data(question) for question in workshop.questions.order_by("position")],
        "rounds": [round_data(round_) for round_ in scope.rounds],
        "participants": [participant_data(participant) for participant in workshop.participants.order_by("number")],
        "poolings": [pooling_data(pooling) for pooling in
                     Pooling.objects.filter(round__workshop=workshop)
                     .select_related("round", "revision", "base_revision").order_by("created_at", "pk")],
    }


def question_data(question: Question) -> dict[str, Any]:
    return {
        "position": question.position, "key": question.key, "kind": question.kind, "target": question.target,
        "defense_id": question.defense_id, "attack_id": question.attack_id, "outcome_id": question.outcome_id,
        "text": question.text, "options": question.options, "current_value": question.current_value,
    }


def round_data(round_: Round) -> dict[str, Any]:
    return {"number": round_.number, "state": round_.state, "opened_at": iso_utc(round_.opened_at),
            "closed_at": iso_utc(round_.closed_at), "revealed_at": iso_utc(round_.revealed_at)}


def participant_data(participant: Participant) -> dict[str, Any]:
    return {"label": participant.label, "joined_at": iso_utc(participant.joined_at),
            "left_at": iso_utc(participant.left_at)}


def pooling_data(pooling: Pooling) -> dict[str, Any]:
    revision = pooling.revision
    return {
        "id": pooling.pk,
        "round": pooling.round.number,
        "method": pooling.method,
        "method_label": str(pooling.get_method_display()),
        "weights": pooling.weights,
        "values": pooling.values,
        "provenance": pooling.provenance,
        "created_at": iso_utc(pooling.created_at),
        "applied_at": iso_utc(pooling.applied_at),
        "base_revision": None if pooling.base_revision is None else pooling.base_revision.number,
        "revision": None if revision is None else {"number": revision.number, "digest": revision.digest},
        "assessment": pooling.assessment_id,
    }


def iter_json(scope: ExportScope) -> Iterator[str]:
    """Yield the JSON export, the header's parts first and then ``judgements`` one object at a time."""
    header = export_header(scope)
    yield "{\n"
    for key, value in header.items():
        yield f"  {json.dumps(key)}: {_dumps(value)},\n"
    yield '  "judgements": ['
    separator = "\n    "
    for judgement in exported_judgements(scope):
        yield separator + _dumps(judgement_row(scope, judgement))
        separator = ",\n    "
    yield "\n  ]\n}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def joined(chunks: Iterable[str]) -> str:
    """Join a streamed export into one text, for tests and small workshops."""
    return "".join(chunks)


# Report data


@dataclass(frozen=True)
class Measure:
    """The spread of one compared value of a question in a round: a band axis, a probability or a best guess.

    The numbers are those of the facilitator's dashboard (``dashboard.consensus``): median and
    quartiles by ``pooling.spread``, in band indexes (0 for the lowest band) for a band axis.
    ``outliers`` are the labels outside Tukey's fences; ``modal_share`` is set for bands only.
    """

    name: str
    label: str
    count: int
    median: float
    median_text: str
    q1: float
    q3: float
    iqr: float
    outliers: list[str]
    modal_share: float | None = None
    modal_text: str = ""
    bands: list[str] | None = None

    @property
    def quartiles_text(self) -> str:
        """Write the interquartile range by its bounds; for bands by their labels."""
        if self.bands is not None:
            return band_range_text(self.bands, self.q1, self.q3)
        return _("%(iqr)s (%(q1)s to %(q3)s)") % {"iqr": number_text(self.iqr), "q1": number_text(self.q1),
                                                   "q3": number_text(self.q3)}

    @property
    def iqr_width_text(self) -> str:
        if self.bands is not None:
            return ngettext("%(width)s band", "%(width)s bands", 1 if self.iqr == 1 else 2) % {
                "width": number_text(self.iqr)}
        return number_text(self.iqr)


@dataclass(frozen=True)
class QuestionSummary:
    """One question in one round: who answered, who in the panel did not, and the spread of the answers."""

    question: Question
    judgements: list[Judgement]
    answered: list[str]
    missing: list[str]
    consensus: dict[str, Any] | None
    measures: list[Measure]

    @property
    def overlap(self) -> dict[str, Any] | None:
        return (self.consensus or {}).get("overlap")

    def agreement_text(self, measure: Measure) -> str:
        """Describe the agreement beyond the spread: the modal share of a band, the overlap of intervals."""
        if measure.modal_share is not None:
            return _("modal share %(share)s (%(bands)s)") % {"share": percent_text(measure.modal_share),
                                                            "bands": measure.modal_text}
        overlap = self.overlap
        if overlap is None:
            return "—"
        coverage = _("%(share)s of the intervals contain the median best guess") % {
            "share": percent_text(overlap["median_coverage"])}
        if not overlap["all_overlap"]:
            return _("no value lies in every interval; %(coverage)s") % {"coverage": coverage}
        return _("all intervals overlap, and their common part is %(share)s of the range of all intervals; "
                 "%(coverage)s") % {"share": percent_text(overlap["overlap_share"]), "coverage": coverage}

    @property
    def agreement_texts(self) -> list[tuple[Measure, str]]:
        return [(measure, self.agreement_text(measure)) for measure in self.measures]


@dataclass(frozen=True)
class RoundSummary:
    """A closed or revealed round: its panel, the participants who answered, and each question's summary."""

    round: Round
    panel: list[str]
    answered: list[str]
    questions: list[QuestionSummary]

    def spread_data(self) -> dict[str, Any]:
        """Return the round's answers and consensus in the shape that the dashboard's spread charts draw."""
        return {"round": self.round.number, "questions": [
            {"id": summary.question.pk, "position": summary.question.position, "text": summary.question.text,
             "kind": summary.question.kind, "options": summary.question.options,
             "points": [_point(summary.question, judgement) for judgement in summary.judgements],
             "consensus": summary.consensus}
            for summary in self.questions]}


@dataclass(frozen=True)
class Change:
    """The medians and interquartile ranges of one compared value in two consecutive rounds."""

    question: Question
    measure: str
    before_round: int
    after_round: int
    before: Measure
    after: Measure

    @property
    def median_change(self) -> float:
        return self.after.median - self.before.median

    @property
    def iqr_change(self) -> float:
        return self.after.iqr - self.before.iqr

    @property
    def median_change_text(self) -> str:
        return number_text(self.median_change, signed=True)

    @property
    def iqr_change_text(self) -> str:
        return number_text(self.iqr_change, signed=True)

    @property
    def iqr_text(self) -> str:
        return f"{self.before.iqr_width_text} → {self.after.iqr_width_text}"


@dataclass(frozen=True)
class PooledEntry:
    """One question's pooled value as the report shows it."""

    position: int
    text: str
    respondents: list[str]
    result: str


@dataclass(frozen=True)
class PoolingSummary:
    """A stored pooling with the paths of the revision and the assessment made from it, once applied."""

    pooling: Pooling
    weights: list[tuple[str, float]]
    entries: list[PooledEntry]
    revision_path: str | None
    assessment_path: str | None

    @property
    def weight_texts(self) -> list[tuple[str, str]]:
        return [(label, number_text(weight)) for label, weight in self.weights]


@dataclass(frozen=True)
class WorkshopReport:
    """Everything the workshop report shows; participants appear only by label."""

    workshop: Workshop
    questions: list[Question]
    participants: list[Participant]
    rounds: list[RoundSummary]
    open_round: Round | None
    omitted_note: str | None
    changes: list[Change]
    poolings: list[PoolingSummary]
    generated_at: datetime = field(default_factory=timezone.now)


def build_report(workshop: Workshop) -> WorkshopReport:
    """Gather the report's rounds, consensus measures, changes between rounds and poolings."""
    scope = export_scope(workshop)
    questions = list(workshop.questions.order_by("position"))
    participants = list(workshop.participants.order_by("number"))

    # Rationales can be long and the report does not show them.
    judgements = (Judgement.objects.filter(round__in=scope.exported_rounds).defer("rationale")
                  .select_related("participant").order_by("participant__number"))
    by_round: dict[int, dict[int, list[Judgement]]] = {}
    for judgement in judgements:
        by_round.setdefault(judgement.round_id, {}).setdefault(judgement.question_id, []).append(judgement)

    rounds = [round_summary(round_, questions, participants, by_round.get(round_.pk, {}))
              for round_ in scope.exported_rounds]
    return WorkshopReport(
        workshop=workshop, questions=questions, participants=participants, rounds=rounds,
        open_round=scope.open_round, omitted_note=scope.omitted_note, changes=round_changes(rounds),
        poolings=[pooling_summary(row) for row in Pooling.objects.filter(round__workshop=workshop)
                  .select_related("round", "revision__scenario").order_by("created_at", "pk")],
    )


def round_summary(round_: Round, questions: list[Question], participants: list[Participant],
                  by_question: dict[int, list[Judgement]]) -> RoundSummary:
    answered_ids = {judgement.participant_id for answers in by_question.values() for judgement in answers}
    panel = selectors.round_panel(round_, participants, answered_ids)

    summaries = []
    for question in questions:
        answers = by_question.get(question.pk, [])
        answered = {judgement.participant_id for judgement in answers}
        missing = [_missing_label(participant, round_) for participant in panel if participant.pk not in answered]
        consensus = dashboard.consensus(question, answers, with_labels=True)
        summaries.append(QuestionSummary(
            question=question, judgements=answers, answered=[judgement.participant.label for judgement in answers],
            missing=missing, consensus=consensus, measures=question_measures(question, answers, consensus)))
    return RoundSummary(round=round_, panel=[participant.label for participant in panel],
                        answered=[participant.label for participant in participants if participant.pk in answered_ids],
                        questions=summaries)


def _missing_label(participant: Participant, round_: Round) -> str:
    closed = round_.closed_at or timezone.now()
    if participant.left_at is not None and participant.left_at <= closed:
        return _("%(label)s (left)") % {"label": participant.label}
    return participant.label


def question_measures(question: Question, judgements: list[Judgement],
                      consensus: dict[str, Any] | None) -> list[Measure]:
    """Return one ``Measure`` per compared value of a question's consensus, or an empty list without judgements."""
    if consensus is None:
        return []
    if question.kind == Question.Kind.MATRIX_CELL:
        names = {"likelihood": _("likelihood band"), "consequence": _("consequence band")}
        return [_band_measure(question, axis, names[axis], consensus[axis], [getattr(j, axis) for j in judgements])
                for axis in ("likelihood", "consequence")]
    if question.kind == Question.Kind.PROBABILITY:
        return [_number_measure("value", _("probability"), consensus["value"])]
    return [_number_measure("best", _("best guess"), consensus["best"])]


def _band_measure(question: Question, axis: str, label: str, stats: dict[str, Any], bands: list[int]) -> Measure:
    names = question.options[axis]
    counts = Counter(bands)
    max_count = max(counts.values())
    modal = sorted(band for band, count in counts.items() if count == max_count)
    return Measure(
        name=axis, label=label, count=stats["count"], median=stats["median"],
        median_text=_band_position(names, stats["median"]), q1=stats["q1"], q3=stats["q3"], iqr=stats["iqr"],
        outliers=list(stats["outliers"]), modal_share=stats["modal_share"],
        modal_text=", ".join(names[band] for band in modal), bands=list(names))


def _band_position(names: list[str], position: float) -> str:
    """Name the band at a median position, or the two bands it lies between."""
    lower = int(position)
    if position == lower:
        return names[lower]
    return _("between %(lower)s and %(upper)s") % {"lower": names[lower], "upper": names[lower + 1]}


def _number_measure(name: str, label: str, stats: dict[str, Any]) -> Measure:
    return Measure(name=name, label=label, count=stats["count"], median=stats["median"],
                   median_text=number_text(stats["median"]), q1=stats["q1"], q3=stats["q3"], iqr=stats["iqr"],
                   outliers=list(stats["outliers"]))


def number_text(value: float, *, signed: bool = False) -> str:
    """Write a number with at most 6 significant digits, as the workshop pages and charts do."""
    text = f"{value:+.6g}" if signed else f"{value:.6g}"
    return "0" if text in ("+0", "-0") else text


def percent_text(share: float) -> str:
    return f"{100 * share:.0f}%"


def _point(question: Question, judgement: Judgement) -> dict[str, Any]:
    """Return one answer as the spread charts draw it, named by the participant's label."""
    if question.kind == Question.Kind.MATRIX_CELL:
        point: dict[str, Any] = {"likelihood": judgement.likelihood, "consequence": judgement.consequence}
    elif question.kind == Question.Kind.PROBABILITY:
        point = {"value": judgement.value}
    else:
        point = {"low": judgement.low, "best": judgement.best, "high": judgement.high,
                 "confidence": judgement.confidence}
    return {**point, "label": judgement.participant.label, "own": False}


def round_changes(rounds: list[RoundSummary]) -> list[Change]:
    """Compare each round with the previous closed or revealed round, question by question and value by value."""
    changes = []
    for before, after in zip(rounds, rounds[1:], strict=False):
        for old, new in zip(before.questions, after.questions, strict=True):
            old_measures = {measure.name: measure for measure in old.measures}
            for measure in new.measures:
                if measure.name in old_measures:
                    changes.append(Change(question=new.question, measure=measure.label,
                                          before_round=before.round.number, after_round=after.round.number,
                                          before=old_measures[measure.name], after=measure))
    return changes


def pooling_summary(row: Pooling) -> PoolingSummary:
    revision = row.revision
    revision_path = None
    if revision is not None:
        revision_path = f"{reverse('scenarios:detail', args=[revision.scenario.slug])}?revision={revision.number}"
    assessment_path = None if row.assessment_id is None else reverse("assessments:detail", args=[row.assessment_id])
    entries = [PooledEntry(position=entry.get("position"), text=entry.get("text", ""),
                           respondents=list(entry.get("respondents") or []), result=pooled_text(entry))
               for entry in row.values]
    return PoolingSummary(pooling=row, weights=list(row.weights.items()), entries=entries,
                          revision_path=revision_path, assessment_path=assessment_path)


def pooled_text(entry: dict[str, Any]) -> str:
    """Describe one stored pooled value in a line: the median bands, the pooled probability or the distribution."""
    result = entry.get("result")
    if result is None:
        return _("no answers, so nothing was pooled")
    if entry.get("kind") == Question.Kind.MATRIX_CELL:
        return " ".join([_("likelihood %(likelihood)s, consequence %(consequence)s.") % result,
                         *matrix_cell_notes(result)])
    if entry.get("kind") == Question.Kind.PROBABILITY:
        return _("probability %(value).6g") % result
    quantiles = result.get("quantiles") or {}
    text = _("mean %(mean).6g, median %(median).6g, 5%% to 95%% quantiles [%(low).6g, %(high).6g]") % {
        "mean": result["mean"], "median": result["median"],
        "low": quantiles.get("0.05", float("nan")), "high": quantiles.get("0.95", float("nan"))}
    if isinstance(result.get("scenario_value"), dict):
        points = len(result["scenario_value"].get("piecewise_cdf") or [])
        text += ngettext("; written to the scenario as a piecewise-linear distribution of %(count)d point",
                         "; written to the scenario as a piecewise-linear distribution of %(count)d points",
                         points) % {"count": points}
    return text


# Report


def report_context(workshop: Workshop, *, offline: bool) -> dict[str, Any]:
    """Return the template context of the report page and of its downloads."""
    return {"report": build_report(workshop), "offline": offline}


def report_html(workshop: Workshop, request: HttpRequest | None = None) -> str:
    """Render the workshop report as one HTML file that works offline, with plotly.js and CSS inlined."""
    # NOTE: at the services' limits (60 questions, 10 rounds) the file holds 600 charts. Printing
    # that many within pdf.TIME_LIMIT_SECONDS has not been tried; the tests print 2 rounds.
    # Links into the application would be dead in a downloaded file, so it shows their paths as text.
    context = report_context(workshop, offline=True)
    context["stylesheet"] = read_static("css/riskapp.css")
    context["plotly_js"] = inline_script(get_plotlyjs())
    context["spread_js"] = inline_script(_static_text("js/workshop_spread.js"))
    return render_to_string("workshops/report_export.html", context, request)


def _static_text(path: str) -> str:
    found = finders.find(path)
    if found is None:
        raise FileNotFoundError(f"static file {path!r} not found by the static file finders")
    return Path(found).read_text(encoding="utf-8")
