"""Sensitivity analyses: the job, its progress, cancelling, the reaper and the page."""

import math
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from riskapp.assessments import sensitivity
from riskapp.assessments.models import AssessmentRun, SensitivityAnalysis
from riskapp.assessments.services import AssessmentRequest, AssessmentRequestError, start_assessment
from riskapp.engines.sensitivity import analyse, parameters
from riskapp.reports.sensitivity_figures import tornado_figure
from riskapp.scenarios.selectors import revision_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(example_revision):
    return start_assessment(example_revision, AssessmentRequest(engines=("risk_matrix", "game"), seed=12))


def test_start_plans_every_parameter(assessment):
    analysis = sensitivity.start_sensitivity(assessment, samples=500)
    assert analysis.state == "queued"
    assert analysis.parameters_planned == len(parameters(revision_problem(assessment.revision)))
    assert analysis.options == {"samples": 500, "seed": 0, "engines": ["risk_matrix", "game", "ara"]}


def test_seed_taken_from_ara_run(example_revision):
    assessment = start_assessment(example_revision, AssessmentRequest(engines=("ara",), samples=100, seed=77))
    analysis = sensitivity.start_sensitivity(assessment, samples=500)
    assert analysis.options["seed"] == 77


@pytest.mark.parametrize("samples", [99, 20_001, True, "many"])
def test_invalid_samples_rejected(assessment, samples):
    with pytest.raises(AssessmentRequestError, match="samples: .* must be an integer from 100 to 20000"):
        sensitivity.start_sensitivity(assessment, samples=samples)
    assert not SensitivityAnalysis.objects.exists()


def test_run_stores_engine_result(assessment):
    analysis = sensitivity.start_sensitivity(assessment, samples=300)
    sensitivity.run_analysis(analysis.pk)
    analysis.refresh_from_db()

    assert analysis.state == "succeeded"
    assert analysis.parameters_done == analysis.parameters_planned
    expected = analyse(revision_problem(assessment.revision), seed=0, samples=300)
    assert analysis.result == expected


def test_cancelled_analysis_stops(assessment):
    analysis = sensitivity.start_sensitivity(assessment, samples=300)
    assert sensitivity.cancel_analysis(analysis.pk) is True
    sensitivity.run_analysis(analysis.pk)
    analysis.refresh_from_db()
    assert analysis.state == "cancelled"
    assert analysis.result is None
    assert sensitivity.cancel_analysis(analysis.pk) is False


def test_reaper_requeues_silent_analysis(assessment):
    analysis = sensitivity.start_sensitivity(assessment, samples=300)
    SensitivityAnalysis.objects.filter(pk=analysis.pk).update(state="running", heartbeat_at=timezone.now())
    soon = timezone.now() + timedelta(seconds=5)
    assert sensitivity.reap_analyses(now=soon) == {"failed": 0, "requeued": 0}

    later = timezone.now() + timedelta(hours=1, seconds=-1)
    assert sensitivity.reap_analyses(now=later) == {"failed": 0, "requeued": 1}
    analysis.refresh_from_db()
    assert analysis.state == "queued"


def test_reaper_fails_analysis_past_deadline(assessment):
    analysis = sensitivity.start_sensitivity(assessment, samples=300)
    summary = sensitivity.reap_analyses(now=analysis.deadline + timedelta(seconds=1))
    assert summary == {"failed": 1, "requeued": 0}
    analysis.refresh_from_db()
    assert analysis.state == "failed"
    assert "time limit" in analysis.error_message


def test_page_shows_progress_then_tornado(client, assessment):
    analysis = sensitivity.start_sensitivity(assessment, samples=300)
    page = client.get(reverse("assessments:sensitivity", args=[analysis.pk])).content.decode()
    assert "sensitivity-progress" in page
    assert 'id="tornado"' not in page

    sensitivity.run_analysis(analysis.pk)
    response = client.get(reverse("assessments:sensitivity", args=[analysis.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="tornado"' in page
    assert "tornado-data" in page
    assert "sensitivity-progress" not in page

    progress = client.get(reverse("assessments:sensitivity_progress", args=[analysis.pk])).json()
    assert progress["finished"] is True
    assert progress["progress"] == 1.0


def test_start_view_redirects_to_analysis(client, assessment):
    response = client.post(reverse("assessments:start_sensitivity", args=[assessment.pk]), {"samples": "400"})
    analysis = SensitivityAnalysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == analysis.get_absolute_url()
    assert analysis.options["samples"] == 400


def test_start_view_rejects_bad_samples(client, assessment):
    response = client.post(reverse("assessments:start_sensitivity", args=[assessment.pk]), {"samples": "5"})
    assert response.status_code == 302
    assert not SensitivityAnalysis.objects.exists()


def test_tornado_bars_span_switch_points(assessment):
    result = analyse(revision_problem(assessment.revision), engines=("risk_matrix", "game"), seed=0)
    figure = tornado_figure(result)
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert len(bars) == 2
    for engine, bar in zip(("risk_matrix", "game"), bars, strict=True):
        shown = {label.replace("<br>", " "): (base, width) for label, base, width in zip(bar.y, bar.base, bar.x,
                                                                                        strict=True)}
        for row in result["parameters"]:
            if row["label"] not in shown:
                continue
            interval = row["intervals"][engine]
            low = interval["low"] if interval["low"] is not None else interval["searched_low"]
            high = interval["high"] if interval["high"] is not None else interval["searched_high"]
            base, width = shown[row["label"]]
            assert base == pytest.approx(math.log2(low))
            assert base + width == pytest.approx(math.log2(high))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_analysis_runs_on_worker(example_revision, start_worker):
    worker = start_worker(concurrency=1)
    assessment = start_assessment(example_revision, AssessmentRequest(engines=("game",), seed=4))
    analysis = sensitivity.start_sensitivity(assessment, samples=200)

    deadline = timezone.now() + timedelta(seconds=180)
    while not SensitivityAnalysis.objects.get(pk=analysis.pk).is_finished:
        assert timezone.now() < deadline, worker.log()
        time.sleep(0.2)
    analysis.refresh_from_db()
    assert analysis.state == AssessmentRun.State.SUCCEEDED, analysis.error_message
    assert analysis.result == analyse(revision_problem(example_revision), seed=0, samples=200)
