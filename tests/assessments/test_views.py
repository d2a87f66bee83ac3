"""The assessment pages: starting from a scenario, progress, cancel."""

import pytest
from django.urls import reverse

from riskapp.assessments.models import Assessment, AssessmentRun

pytestmark = pytest.mark.django_db


def _start(client, revision, **fields):
    data = {"engines": ["risk_matrix", "game", "ara"], "samples": "1000", "seed": "", "target_standard_error": ""}
    data.update(fields)
    return client.post(reverse("assessments:start", args=[revision.pk]), data)


def test_start_redirects_to_assessment(client, example_revision):
    response = _start(client, example_revision, seed="17")
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    assert assessment.runs.get(engine="ara").seed == 17


@pytest.mark.parametrize(("fields", "message"), [
    ({"samples": "abc"}, "Enter a whole number; “abc” is not one."),
    ({"samples": "5"}, "Enter at least 100; got 5."),
    ({"samples": "1e3"}, "Enter a whole number; “1e3” is not one."),
    ({"seed": "-4"}, "Enter at least 0; got -4."),
    ({"target_standard_error": "0"}, "The target standard error must be positive; got 0.0."),
    ({"target_standard_error": "-1"}, "The target standard error must be positive; got -1.0."),
    ({"engines": []}, "This field is required."),
])
def test_invalid_form_keeps_values(client, example_revision, fields, message):
    response = _start(client, example_revision, **fields)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert not AssessmentRun.objects.exists()
    for value in fields.values():
        if isinstance(value, str) and value:
            assert f'value="{value}"' in page


def test_progress_json_lists_runs(client, example_revision):
    _start(client, example_revision, engines=["game"])
    assessment = Assessment.objects.get()
    data = client.get(reverse("assessments:progress", args=[assessment.pk])).json()
    assert data["finished"] is True
    assert [run["engine"] for run in data["runs"]] == ["game"]
    assert data["runs"][0]["state"] == "succeeded"


def test_cancel_view_marks_run(client, example_revision):
    _start(client, example_revision, engines=["ara"])
    run = AssessmentRun.objects.get()
    response = client.post(reverse("assessments:cancel", args=[run.pk]))
    run.refresh_from_db()
    assert response.status_code == 302
    assert run.state == "cancelled"


def test_detail_names_engines(client, example_revision):
    _start(client, example_revision, engines=["risk_matrix", "game"])
    page = client.get(Assessment.objects.get().get_absolute_url()).content.decode()
    assert "Risk matrix" in page
    assert "Game-theoretic solver" in page
