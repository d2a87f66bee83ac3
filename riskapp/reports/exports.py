"""Downloads of the comparison report: a self-contained HTML file, JSON and CSV.

The PDF is the HTML file printed by Chromium (``riskapp.reports.pdf``).
"""

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from plotly.offline import get_plotlyjs

from riskapp.reports import selectors
from riskapp.reports.selectors import Comparison

EXPORT_FORMAT = "riskapp-assessment-export/1"

# Figures that the comparison page shows inside a partial template of their own, with more
# than a heading. The report includes the same partial.
SECTION_TEMPLATES = {"risk_matrix": "reports/_matrix.html"}

# Headings and placeholders of the other figures as the comparison page shows them. The same
# message ids share the page's translations.
FIGURE_HEADINGS = {
    "expected_utility": _("Expected defender utility"),
    "attack_probability": _("Predicted attacks"),
    "convergence": _("ARA convergence"),
}
FIGURE_PLACEHOLDERS = {
    "expected_utility": _("The game-theoretic solver and ARA have no results yet."),
    "attack_probability": _("The game-theoretic solver and ARA have no results yet."),
    "convergence": _("The ARA run has recorded no convergence history yet."),
}

CSV_COLUMNS = [
    "kind",
    "engine",
    "engine_version",
    "defense_id",
    "defense",
    "attack_id",
    "attack",
    "rank",
    "recommended",
    "indistinguishable",
    "expected_utility",
    "standard_error",
    "risk_level",
    "attack_probability",
    "attack_probability_error",
]

# Spreadsheets read a cell that starts with one of these as a formula (OWASP, "CSV Injection":
# https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DECIMAL_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Characters that file systems reject or read as a path, and control characters.
FILENAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
FILENAME_MAX_TITLE = 120


@dataclass
class FigureSection:
    """One figure of the report: a partial template, or the heading and placeholder to show with it."""

    key: str
    template: str | None
    heading: str
    placeholder: str
    figure: dict[str, Any] | None


@dataclass
class EngineRunInfo:
    """The facts that make one engine's run reproducible: version, seed and options."""

    engine_name: str
    state: str
    version: str | None
    seed: int | None
    options: str


def export_filename(comparison: Comparison, extension: str) -> str:
    """Return a download name from the scenario title, keeping non-ASCII letters and emoji."""
    title = FILENAME_UNSAFE.sub(" ", comparison.scenario_title)
    title = " ".join(title.split())[:FILENAME_MAX_TITLE].strip(" .") or "assessment"
    return f"{title} (revision {comparison.revision_number}).{extension}"


def report_html(comparison: Comparison, request: HttpRequest | None = None) -> str:
    """Render the comparison as one HTML file that works offline, plotly.js and CSS inlined.

    With a ``request``, the heatmap takes the orientation that the comparison page stored in
    the session, so the file shows the matrix as the analyst last saw it.
    """
    orientation = None if request is None else selectors.matrix_orientation(request)
    figures = selectors.build_figures(comparison, orientation=orientation)
    sections = [
        FigureSection(
            key=key,
            template=SECTION_TEMPLATES.get(key),
            heading=str(FIGURE_HEADINGS.get(key) or _figure_title(figures[key]) or key),
            placeholder=str(FIGURE_PLACEHOLDERS.get(key, _("This figure has no results yet."))),
            figure=figures[key],
        )
        for key in figures
    ]
    context = {
        "comparison": comparison,
        "revision": comparison.assessment.revision,
        "engine_runs": [_engine_run_info(summary) for summary in comparison.engines],
        "figure_sections": sections,
        "figures": figures,
        "orientation": orientation,
        "stylesheet": _read_static("css/riskapp.css"),
        "plotly_js": _inline_script(get_plotlyjs()),
        # Links into the application would be dead in a downloaded file.
        "offline": True,
    }
    return render_to_string("reports/export.html", context, request)


def report_json(comparison: Comparison) -> str:
    """Serialise the assessment: scenario document, run metadata and every shown run's result.

    ``scenario`` and ``results`` have the shape of ``manage.py assess --format json``, so tools
    that read that output read this file too. ``runs`` lists the latest run per engine, the
    one whose result the report shows; earlier runs of the same engine are left out.
    """
    assessment = comparison.assessment
    revision = assessment.revision
    document = {
        "format": EXPORT_FORMAT,
        "scenario": {
            "title": comparison.scenario_title,
            "digest": revision.digest,
            "revision": revision.number,
            "document": json.loads(revision.document),
        },
        "assessment": {
            "id": assessment.pk,
            "created_at": assessment.created_at,
            "finished": comparison.is_finished,
            "recommendations": comparison.recommendations,
        },
        "runs": [
            {
                "id": summary.run.pk,
                "engine": summary.engine,
                "state": summary.state,
                "seed": summary.run.seed,
                "options": summary.run.options,
                "chunks_planned": summary.run.chunks_planned,
                "chunks_done": summary.run.chunks_done,
                "created_at": summary.run.created_at,
                "started_at": summary.run.started_at,
                "finished_at": summary.run.finished_at,
                "error_message": summary.run.error_message,
            }
            for summary in comparison.engines
        ],
        "results": {summary.engine: summary.result for summary in comparison.engines if summary.result is not None},
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def report_csv(comparison: Comparison) -> bytes:
    """Write one row per (engine, defense) and one per (engine, defense, attack) probability.

    The ``kind`` column distinguishes them: ``defense`` or ``attack_probability``. The bytes are
    UTF-8 with a byte order mark, which spreadsheets need to read non-ASCII names.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in _csv_rows(comparison):
        writer.writerow([spreadsheet_safe(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def spreadsheet_safe(value: Any) -> str:
    """Return a CSV cell that no spreadsheet runs as a formula: an apostrophe guards text
    starting with ``= + - @``, tab or carriage return, unless the text is a plain number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not DECIMAL_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_rows(comparison: Comparison) -> list[dict[str, Any]]:
    names = comparison.names
    rows = []
    for summary in comparison.engines:
        result = summary.result
        if result is None:
            continue
        ranking = result.get("defense_ranking") or []
        indistinguishable = set(result.get("indistinguishable") or [])
        engine = {"engine": summary.engine, "engine_version": result.get("engine_version")}
        defenses = result.get("defenses") or {}
        for defense_id in _ordered(defenses, names.defenses):
            verdict = defenses[defense_id]
            defense = {**engine, "defense_id": defense_id, "defense": names.defense(defense_id)}
            rows.append({
                "kind": "defense",
                **defense,
                "rank": ranking.index(defense_id) + 1 if defense_id in ranking else None,
                "recommended": defense_id == result.get("recommended_defense"),
                "indistinguishable": defense_id in indistinguishable,
                "expected_utility": verdict.get("expected_utility"),
                "standard_error": verdict.get("standard_error"),
                "risk_level": verdict.get("risk_level"),
            })
            probabilities = verdict.get("attack_probabilities") or {}
            errors = verdict.get("attack_probability_errors") or {}
            for attack_id in _ordered(probabilities, names.attacks):
                rows.append({
                    "kind": "attack_probability",
                    **defense,
                    "attack_id": attack_id,
                    "attack": names.attacks.get(attack_id, attack_id),
                    "attack_probability": probabilities[attack_id],
                    "attack_probability_error": errors.get(attack_id),
                })
    return rows


def _ordered(keys: Mapping[str, Any], file_order: Mapping[str, str]) -> list[str]:
    """Return the ids in ``keys`` in the scenario file's order, unknown ids last."""
    return [key for key in file_order if key in keys] + [key for key in keys if key not in file_order]


def _engine_run_info(summary: selectors.EngineSummary) -> EngineRunInfo:
    result = summary.result or {}
    options = result.get("options") or summary.run.options or {}
    return EngineRunInfo(
        engine_name=str(summary.engine_name),
        state=summary.run.get_state_display(),
        version=result.get("engine_version"),
        seed=result.get("seed", summary.run.seed) if result else summary.run.seed,
        options=", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in sorted(options.items())),
    )


def _figure_title(figure: dict[str, Any] | None) -> str | None:
    title = ((figure or {}).get("layout") or {}).get("title") or {}
    return title.get("text") if isinstance(title, dict) else None


def _read_static(path: str) -> str:
    found = finders.find(path)
    if found is None:
        raise FileNotFoundError(f"static file {path!r} not found by the static file finders")
    return _inline_style(Path(found).read_text(encoding="utf-8"))


def _inline_script(source: str) -> str:
    # Inside <script>, "</script" ends the element whatever the JavaScript context. In strings and
    # regular expressions "<\/" means the same, and elsewhere neither is valid JavaScript.
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)


def _inline_style(source: str) -> str:
    return re.sub(r"</(style)", r"<\\/\1", source, flags=re.IGNORECASE)
