"""The comparison page, its polling endpoint and the locally served plotly.js."""

import gzip
import json
import re
from pathlib import Path

import plotly
import pytest
from django.urls import reverse
from django.utils.html import escape

from riskapp.assessments.models import Assessment, AssessmentRun

from .conftest import DEFENSES

pytestmark = pytest.mark.django_db


def _run(assessment: Assessment, engine: str) -> AssessmentRun:
    return assessment.runs.get(engine=engine)


def _make_running(run: AssessmentRun, *, chunks_done: int, chunks_planned: int) -> None:
    run.state = AssessmentRun.State.RUNNING
    run.chunks_done = chunks_done
    run.chunks_planned = chunks_planned
    run.result = None
    run.save()


def test_comparison_shows_scenario_and_revision(client, assessment):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Weight theft by a state-backed actor" in page
    assert "Revision 3" in page
    for name in DEFENSES.values():
        assert name in page


def test_comparison_cards_per_engine(client, assessment):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    cards = re.findall(r'<section class="card" id="engine-(\w+)"', page)
    assert cards == ["risk_matrix", "game", "ara"]
    assert "Pause deployment</strong>" in page  # the risk matrix's recommendation
    assert "ASL-3 security</strong>" in page  # the game's and ARA's
    assert "Indistinguishable from it: Pause deployment" in page
    assert "Assessment complete." in page


def test_comparison_table_utilities_and_errors(client, assessment):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    rows = response.context["comparison"].utility_rows
    asl3 = next(row for row in rows if row.defense_id == "asl3")
    assert (asl3.game_utility, asl3.ara_utility, asl3.ara_standard_error) == (-7.5, -8.125, 0.25)
    assert asl3.ara_interval == (-8.625, -7.625)
    assert asl3.risk_level == "High"
    page = response.content.decode()
    assert '<td class="number">-8.125</td>' in page
    assert '<td class="number">0.25</td>' in page
    assert "[-8.625, -7.625]" in page


def test_comparison_embeds_figures_as_json(client, assessment, ara_result):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    for key in ("expected_utility", "attack_probability", "risk_matrix", "convergence"):
        match = re.search(rf'<script id="figure-{key}-data" type="application/json">(.*?)</script>', page, re.S)
        assert match is not None, key
        figure = json.loads(match.group(1))
        assert figure["data"], key
    utilities = json.loads(re.search(r'id="figure-expected_utility-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    ara_bars = utilities["data"][1]
    assert ara_bars["y"] == [ara_result["defenses"][d]["expected_utility"] for d in DEFENSES]
    assert ara_bars["error_y"]["array"] == [2 * ara_result["defenses"][d]["standard_error"] for d in DEFENSES]


def test_comparison_no_external_urls(client, assessment):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    assert "https://cdn" not in page
    assert "cdn.plot.ly" not in page
    sources = re.findall(r'<script[^>]* src="([^"]+)"', page)
    assert sources == [f"{reverse('reports:plotly_js')}?v={plotly.__version__}", "/static/js/report.js"]
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_comparison_running_run_shows_progress(client, assessment):
    _make_running(_run(assessment, "ara"), chunks_done=3, chunks_planned=4)

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-finished="false"' in page
    assert 'aria-valuenow="75"' in page
    assert 'style="width: 75.0%"' in page
    assert "75 % done" in page
    assert "The ARA run has recorded no convergence history yet." in page
    assert response.context["figures"]["convergence"] is None


def test_comparison_finished_stops_polling(client, assessment):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    assert 'data-finished="true"' in response.content.decode()
    assert "aria-valuenow" not in response.content.decode()


def test_comparison_failed_run_shows_error(client, assessment):
    run = _run(assessment, "game")
    run.state = AssessmentRun.State.FAILED
    run.result = None
    run.error_message = "The run timed out after 3600 s."
    run.save()

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    assert "The run timed out after 3600 s." in response.content.decode()
    assert [trace["name"] for trace in response.context["figures"]["expected_utility"]["data"]] == [
        "ARA Monte Carlo (error bars: ± 2 standard errors)"
    ]


def test_comparison_unknown_assessment_404(client, assessment):
    missing = assessment.pk + 1000

    assert client.get(reverse("reports:comparison", args=[missing])).status_code == 404
    assert client.get(reverse("reports:comparison_data", args=[missing])).status_code == 404


def test_comparison_rejects_post(client, assessment):
    response = client.post(reverse("reports:comparison", args=[assessment.pk]))

    assert response.status_code == 405


def test_data_reports_progress_and_figures(client, assessment, game_result):
    _make_running(_run(assessment, "ara"), chunks_done=1, chunks_planned=4)

    response = client.get(reverse("reports:comparison_data", args=[assessment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["finished"] is False
    assert data["changed"] is True
    runs = {run["engine"]: run for run in data["runs"]}
    assert runs["ara"]["state"] == "running"
    assert runs["ara"]["progress"] == 0.25
    assert runs["game"]["progress"] == 1.0
    assert 'aria-valuenow="25"' in data["summary_html"]
    game_bars = data["figures"]["expected_utility"]["data"][0]
    assert game_bars["y"] == [game_result["defenses"][d]["expected_utility"] for d in DEFENSES]
    assert data["figures"]["convergence"] is None


def test_data_unchanged_versions_omit_parts(client, assessment):
    url = reverse("reports:comparison_data", args=[assessment.pk])
    first = client.get(url).json()

    data = client.get(url, {"known": first["version"], "known_results": first["results_version"]}).json()

    assert data["changed"] is False
    assert "figures" not in data
    assert "summary_html" not in data
    assert data["runs"][2]["progress"] == 1.0


def test_data_progress_without_figures(client, assessment):
    url = reverse("reports:comparison_data", args=[assessment.pk])
    run = _run(assessment, "ara")
    _make_running(run, chunks_done=1, chunks_planned=4)
    before = client.get(url).json()

    run.chunks_done = 2
    run.save()
    data = client.get(url, {"known": before["version"], "known_results": before["results_version"]}).json()

    assert data["version"] != before["version"]
    assert data["results_version"] == before["results_version"]
    assert data["changed"] is True
    assert 'aria-valuenow="50"' in data["summary_html"]
    assert "figures" not in data
    assert data["runs"][2]["progress"] == 0.5


def test_data_new_result_sends_figures(client, assessment, ara_result):
    url = reverse("reports:comparison_data", args=[assessment.pk])
    run = _run(assessment, "ara")
    _make_running(run, chunks_done=3, chunks_planned=4)
    before = client.get(url).json()

    run.state, run.chunks_done, run.result = AssessmentRun.State.SUCCEEDED, 4, ara_result
    run.save()
    data = client.get(url, {"known": before["version"], "known_results": before["results_version"]}).json()

    assert data["results_version"] != before["results_version"]
    assert data["finished"] is True
    convergence = data["figures"]["convergence"]
    assert convergence is not None
    assert convergence["data"][2]["y"] == ara_result["convergence"]["defenses"]["asl2"]["estimate"]


def test_plotly_js_served_locally(client):
    response = client.get(reverse("reports:plotly_js"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "max-age=31536000" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    response.close()
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert body == bundled.read_bytes()
    assert int(response["Content-Length"]) == len(body)


def test_plotly_js_gzipped_on_request(client):
    response = client.get(reverse("reports:plotly_js"), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(b"".join(response.streaming_content))
    response.close()
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert body == bundled.read_bytes()


def test_plotly_js_not_modified(anonymous_client):
    # Closing the streamed response closes the database connection, which a signed-in client's
    # session lookup would then need; the script needs no user.
    first = anonymous_client.get(reverse("reports:plotly_js"))
    first.close()

    second = anonymous_client.get(reverse("reports:plotly_js"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert second.status_code == 304


def test_comparison_without_runs(client, assessment):
    assessment.runs.all().delete()

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    assert "This assessment has no engine runs." in page
    assert 'data-finished="true"' in page
    assert all(figure is None for figure in response.context["figures"].values())


def test_comparison_explains_disagreement(client, assessment):
    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    comparison = response.context["comparison"]
    assert comparison.recommendations == {"risk_matrix": "pause", "game": "asl3", "ara": "asl3"}
    assert comparison.agreed_defense is None
    assert comparison.game_and_ara_differ is False
    assert comparison.matrix_differs is True
    page = response.content.decode()
    assert "The risk matrix recommends a defense that neither adversary model does." in page
    assert "The game-theoretic solver and ARA recommend different defenses." not in page


def test_comparison_states_agreement(client, assessment):
    run = _run(assessment, "risk_matrix")
    run.result = {**run.result, "recommended_defense": "asl3"}
    run.save()

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    assert response.context["comparison"].agreed_defense == "ASL-3 security"
    assert "Every engine recommends ASL-3 security" in response.content.decode()


def test_comparison_game_ara_disagreement(client, assessment):
    run = _run(assessment, "game")
    run.result = {**run.result, "recommended_defense": "pause"}
    run.save()

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    assert response.context["comparison"].game_and_ara_differ is True
    assert "replaces every uncertain attacker number by its mean" in page


def test_comparison_lists_engine_warnings(client, assessment, scenario_document):
    run = _run(assessment, "risk_matrix")
    warning = {
        "code": "risk_matrix.no_attempt_probability",
        "message": "Attack insider has no attempt probability; its rating assumes an attempt.",
        "template": "Attack {attack} has no attempt probability; its rating assumes an attempt.",
        "params": {"attack": "insider"},
    }
    run.result = {**run.result, "warnings": [warning]}
    run.save()

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))

    page = response.content.decode()
    insider = next(a["name"] for a in scenario_document["attacks"] if a["id"] == "insider")
    assert '<ul class="warnings"' in page
    # The attack's id in the engine's message is shown as its name.
    assert f"<li>Attack {escape(insider)} has no attempt probability; its rating assumes an attempt.</li>" in page


def test_agreement_excludes_cancelled_engine(client, assessment, scenario_document):
    # The game and ARA both recommend asl3; the risk matrix, which recommends pause, is cancelled.
    matrix = _run(assessment, "risk_matrix")
    matrix.state, matrix.result = AssessmentRun.State.CANCELLED, None
    matrix.save()
    asl3 = next(d["name"] for d in scenario_document["defenses"] if d["id"] == "asl3")

    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()

    assert "all three models of the adversary" not in page
    assert f"Game-theoretic solver and Adversarial Risk Analysis (ARA) Monte Carlo recommend {asl3}." in page
    assert "No recommendation yet from Risk matrix" in page


def test_agreement_of_all_three(client, assessment):
    for run in assessment.runs.all():
        run.result = {**run.result, "recommended_defense": "asl3"}
        run.save()
    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()
    assert "so the decision holds under all three models of the adversary" in page
    assert "No recommendation yet" not in page


def test_rankings_compared_section(client, assessment):
    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()
    assert 'id="ranking-table"' in page
    assert "Kendall" in page
    # The three engines give three pairs of engines.
    assert page.count("<th scope=\"row\">", page.index('id="ranking-table"'),
                      page.index("</table>", page.index('id="ranking-table"'))) == 3


def test_ratings_table_shows_origin(client, assessment, risk_matrix_result):
    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()
    origins = {rating["origin"] for ratings in risk_matrix_result["ratings"].values() for rating in ratings.values()}
    assert origins == {"direct", "derived"}
    assert 'id="ratings-table"' in page
    assert "entered directly" in page
    assert "derived from the scenario" in page


def test_catalog_context_for_demo_scenario(client):
    from riskapp.assessments.services import AssessmentRequest, start_assessment
    from riskapp.scenarios.services import load_demo_scenarios

    revision = next(r for r in load_demo_scenarios() if r.scenario.slug == "weight-theft-by-operational-capacity")
    assessment = start_assessment(revision, AssessmentRequest(engines=("risk_matrix", "game")))

    response = client.get(reverse("reports:comparison", args=[assessment.pk]))
    page = response.content.decode()

    # The demo's matrix gives only ratings, so the heatmap uses the default grid.
    assert response.status_code == 200
    assert 'id="figure-risk_matrix"' in page
    assert 'id="catalog-table"' in page
    assert "Responsible Scaling Policy 1.0" in page
    assert "ASL-2" in page
