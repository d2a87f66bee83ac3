"""Exports of the comparison report: CSV, JSON, download headers and the PDF link without Chromium."""

import csv
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse
from plotly.offline import get_plotlyjs

from riskapp.assessments.models import Assessment, AssessmentRun
from riskapp.engines import get_engine
from riskapp.reports import exports, selectors
from riskapp.reports.exports import CSV_COLUMNS, export_filename, spreadsheet_safe
from riskapp.reports.figures import MatrixOrientation
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.selectors import revision_problem

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "weight_theft.json"

TITLE = "Krádež váh 模型权重 🔐"

# Names that break naive CSV writers or that a spreadsheet would run as formulas.
DEFENSE_NAMES = {
    "asl2": '=HYPERLINK("http://127.0.0.1/", "ASL-2, basic")',
    "asl3": 'ASL-3 security,\nwith "quotes"',
}
ATTACK_NAMES = {"none": "@SUM(1+1)", "insider": "+insider, -2 -3"}

ENGINE_OPTIONS: dict[str, dict[str, Any]] = {
    "risk_matrix": {},
    "game": {},
    "ara": {"seed": 20261204, "samples": 4000, "chunk_size": 1000},
}


def hostile_document(title: str = TITLE) -> dict[str, Any]:
    """The example scenario under ``title``, with names made to break CSV files."""
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["title"] = title
    for defense in document["defenses"]:
        defense["name"] = DEFENSE_NAMES[defense["id"]]
    for attack in document["attacks"]:
        attack["name"] = ATTACK_NAMES[attack["id"]]
    return document


def store_assessment(document: dict[str, Any]) -> Assessment:
    """Import ``document`` and store an assessment whose runs hold real engine results."""
    revision = services.import_scenario(parse_scenario(json.dumps(document).encode(), syntax="json"))
    problem = revision_problem(revision)
    assessment = Assessment.objects.create(revision=revision)
    for engine, options in ENGINE_OPTIONS.items():
        result = get_engine(engine)(problem, **options).to_dict()
        run_options = {key: value for key, value in options.items() if key != "seed"}
        AssessmentRun.objects.create(
            assessment=assessment,
            revision=revision,
            engine=engine,
            options=run_options,
            seed=options.get("seed"),
            state=AssessmentRun.State.SUCCEEDED,
            chunks_planned=4 if engine == "ara" else 1,
            chunks_done=4 if engine == "ara" else 1,
            result=result,
        )
    return assessment


@pytest.fixture
def hostile_assessment(db) -> Assessment:
    return store_assessment(hostile_document())


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames == CSV_COLUMNS
    return list(reader)


def unguarded(cell: str) -> str:
    """Undo the apostrophe that guards a formula-like cell."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in {"=", "+", "-", "@", "\t", "\r"} else cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tname", "'\tname"),
        ("\rname", "'\rname"),
        ("-2", "-2"),
        ("+3.5e2", "+3.5e2"),
        ("-.5", "-.5"),
        ("plain, text", "plain, text"),
        (-31.25, "-31.25"),
        (0.1, "0.1"),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (None, ""),
    ],
)
def test_spreadsheet_safe_cell(value, expected):
    assert spreadsheet_safe(value) == expected


def test_csv_round_trip_hostile_names(client, hostile_assessment):
    response = client.get(reverse("reports:export_csv", args=[hostile_assessment.pk]))
    rows = read_csv(response.content)
    results = {run.engine: run.result for run in hostile_assessment.runs.all()}

    defense_rows = [row for row in rows if row["kind"] == "defense"]
    attack_rows = [row for row in rows if row["kind"] == "attack_probability"]
    assert len(rows) == len(defense_rows) + len(attack_rows)
    # Three engines rate both defenses; the game and ARA predict both attacks under each.
    assert len(defense_rows) == 3 * 2
    assert len(attack_rows) == 2 * 2 * 2

    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                float(cell)  # only genuine numbers may start with a minus sign
        assert unguarded(row["defense"]) == DEFENSE_NAMES[row["defense_id"]]
        result = results[row["engine"]]
        assert row["engine_version"] == result["engine_version"]
        verdict = result["defenses"][row["defense_id"]]
        if row["kind"] == "defense":
            assert row["rank"] == str(result["defense_ranking"].index(row["defense_id"]) + 1)
            assert row["recommended"] == str(row["defense_id"] == result["recommended_defense"]).lower()
            assert row["risk_level"] == (verdict["risk_level"] or "")
            for column in ("expected_utility", "standard_error"):
                expected = verdict[column]
                assert (float(row[column]) if row[column] else None) == expected, (row, column)
        else:
            assert unguarded(row["attack"]) == ATTACK_NAMES[row["attack_id"]]
            assert float(row["attack_probability"]) == verdict["attack_probabilities"][row["attack_id"]]
            errors = verdict["attack_probability_errors"]
            expected_error = None if errors is None else errors[row["attack_id"]]
            cell = row["attack_probability_error"]
            assert (float(cell) if cell else None) == expected_error


def test_csv_probabilities_sum_to_one(client, hostile_assessment):
    rows = read_csv(client.get(reverse("reports:export_csv", args=[hostile_assessment.pk])).content)
    totals: dict[tuple[str, str], float] = {}
    for row in rows:
        if row["kind"] == "attack_probability":
            key = (row["engine"], row["defense_id"])
            totals[key] = totals.get(key, 0.0) + float(row["attack_probability"])
    assert set(totals) == {(engine, defense) for engine in ("game", "ara") for defense in DEFENSE_NAMES}
    for key, total in totals.items():
        assert total == pytest.approx(1.0, abs=1e-12), key


def test_json_export_contents(client, hostile_assessment):
    response = client.get(reverse("reports:export_json", args=[hostile_assessment.pk]))
    exported = json.loads(response.content.decode("utf-8"))
    revision = hostile_assessment.revision

    assert exported["format"] == "riskapp-assessment-export/1"
    assert exported["scenario"]["title"] == TITLE
    assert exported["scenario"]["digest"] == revision.digest
    assert exported["scenario"]["revision"] == revision.number
    assert exported["scenario"]["document"] == json.loads(revision.document)
    assert exported["assessment"]["id"] == hostile_assessment.pk
    assert exported["assessment"]["finished"] is True
    runs = {run.engine: run for run in hostile_assessment.runs.all()}
    assert set(exported["results"]) == set(runs)
    for engine, run in runs.items():
        assert exported["results"][engine] == run.result
    assert {entry["engine"]: entry["seed"] for entry in exported["runs"]} == {
        engine: options.get("seed") for engine, options in ENGINE_OPTIONS.items()
    }
    # Non-ASCII is written as UTF-8, not as \u escapes, so the file reads as text.
    assert TITLE.encode("utf-8") in response.content


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("export_html", "text/html; charset=utf-8"),
        ("export_json", "application/json; charset=utf-8"),
        ("export_csv", "text/csv; charset=utf-8"),
    ],
)
def test_download_headers_non_ascii(client, hostile_assessment, name, content_type):
    response = client.get(reverse(f"reports:{name}", args=[hostile_assessment.pk]))
    extension = name.removeprefix("export_")
    expected_name = f"{TITLE} (revision 1).{extension}"

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition == f"attachment; filename*=utf-8''{quote(expected_name)}"
    assert unquote(disposition.split("''", 1)[1]) == expected_name


def test_download_headers_ascii_title(client, db):
    assessment = store_assessment(hostile_document('Weight theft "state" actor'))
    response = client.get(reverse("reports:export_json", args=[assessment.pk]))
    # The double quotes are dropped from the name, so the plain filename parameter suffices.
    assert response["Content-Disposition"] == 'attachment; filename="Weight theft state actor (revision 1).json"'


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("a/b\\c: d?", "a b c d (revision 1).csv"),
        ("Tabs\tand\nnewlines", "Tabs and newlines (revision 1).csv"),
        ("...", "assessment (revision 1).csv"),
        ("Krádež váh 模型权重 🔐", "Krádež váh 模型权重 🔐 (revision 1).csv"),
    ],
)
def test_export_filename_cleans_title(db, title, expected):
    assessment = store_assessment(hostile_document(title))
    assert export_filename(selectors.build_comparison(assessment), "csv") == expected


def test_html_export_is_self_contained(hostile_assessment):
    html = exports.report_html(selectors.build_comparison(hostile_assessment))
    revision = hostile_assessment.revision

    assert html.count(get_plotlyjs()) == 1
    assert html.count("<script>") == 2  # plotly.js and the drawing script, nothing else
    markup = html.replace(get_plotlyjs(), "")
    assert re.search(r"<(link|img|iframe)\b", markup) is None
    assert re.search(r"\s(src|href)=", markup) is None
    assert "Content-Security-Policy" in html
    assert TITLE in html
    assert revision.digest in html
    for run in hostile_assessment.runs.all():
        assert run.result["engine_version"] in html
    assert "20261204" in html
    assert "samples=4000" in html


def test_comparison_page_links_exports(client, hostile_assessment, settings):
    settings.RISKAPP_CHROMIUM = "/usr/bin/chromium"
    content = client.get(reverse("reports:comparison", args=[hostile_assessment.pk])).content.decode()
    for name in ("export_html", "export_pdf", "export_json", "export_csv"):
        assert f'href="{reverse(f"reports:{name}", args=[hostile_assessment.pk])}"' in content, name
    assert 'id="pdf-unavailable"' not in content


def test_pdf_link_without_chromium(client, hostile_assessment, settings, tmp_path):
    missing = tmp_path / "no-chromium"
    settings.RISKAPP_CHROMIUM = str(missing)

    page = client.get(reverse("reports:comparison", args=[hostile_assessment.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert f"PDF unavailable: Chromium was not found at {missing}." in content
    assert reverse("reports:export_pdf", args=[hostile_assessment.pk]) not in content

    response = client.get(reverse("reports:export_pdf", args=[hostile_assessment.pk]))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert f"Chromium was not found at {missing}." in response.content.decode()

    for name in ("export_html", "export_json", "export_csv"):
        assert client.get(reverse(f"reports:{name}", args=[hostile_assessment.pk])).status_code == 200, name


def test_html_export_keeps_matrix_orientation(client, hostile_assessment):
    comparison_url = reverse("reports:comparison", args=[hostile_assessment.pk])
    client.get(comparison_url, {"likelihood_on": "columns", "reverse_consequence": "1"})

    html = client.get(reverse("reports:export_html", args=[hostile_assessment.pk])).content.decode()

    block = re.search(r'<script id="figure-risk_matrix-data" type="application/json">(.*?)</script>', html, re.S)
    exported = json.loads(block.group(1))
    comparison = selectors.build_comparison(hostile_assessment)
    turned = MatrixOrientation(likelihood_on="columns", reverse_consequence=True)
    assert exported == selectors.build_figures(comparison, orientation=turned)["risk_matrix"]
    assert exported != selectors.build_figures(comparison)["risk_matrix"]
    assert 'id="matrix-ranking-rule"' in html
    assert 'id="coherence-table"' in html


def test_html_export_gzip_round_trip(client, hostile_assessment):
    url = reverse("reports:export_html", args=[hostile_assessment.pk])
    plain = client.get(url).content

    response = client.get(url, headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < len(plain) / 2
    assert gzip.decompress(response.content) == plain


def test_json_export_unfinished_run(client, hostile_assessment):
    ara = hostile_assessment.runs.get(engine="ara")
    ara.state = AssessmentRun.State.RUNNING
    ara.chunks_done, ara.result = 1, None
    ara.save()

    exported = json.loads(client.get(reverse("reports:export_json", args=[hostile_assessment.pk])).content)

    assert exported["assessment"]["finished"] is False
    assert set(exported["results"]) == {"risk_matrix", "game"}
    ara_entry = next(entry for entry in exported["runs"] if entry["engine"] == "ara")
    assert ara_entry["state"] == "running"
    assert ara_entry["chunks_done"] == 1
    assert ara_entry["chunks_planned"] == 4
