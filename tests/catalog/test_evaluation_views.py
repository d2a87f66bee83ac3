"""Pages for thresholds, the crosswalk, benchmarks, model profiles and the results import."""

import base64
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from riskapp.accounts.models import Membership, Role, demo_organisation
from riskapp.catalog.models import (
    Benchmark,
    CapabilityThreshold,
    EvaluationResult,
    Measure,
    ModelProfile,
    ThresholdCriterion,
)

pytestmark = pytest.mark.django_db

CARD = "https://example.org/system-card.pdf"
HEADER = "model,benchmark,score,unit,date,source_url\n"


@pytest.fixture
def profile() -> ModelProfile:
    return ModelProfile.objects.create(slug="test-model", name="Test model", developer="Example Lab",
                                       source_url=CARD)


def test_version_page_lists_thresholds(client):
    content = client.get(reverse("catalog:version", args=["anthropic-rsp-2.2"])).content.decode()
    assert 'id="threshold-cbrn-3"' in content
    assert "monitored, not gating" in content
    assert "13 required safeguards" in content
    assert "Affirmative case on misaligned goals" in content  # a governance measure
    # The uplift trial's zones.
    assert "≤ 2.8" in content
    assert "≥ 5" in content


def test_level_page_lists_thresholds(client):
    content = client.get(reverse("catalog:level", args=["anthropic-rsp-2.2", "asl-4"])).content.decode()
    assert "Thresholds that require this level" in content
    assert "CBRN-4" in content
    assert "AI R&amp;D-5" in content


def test_crosswalk_marked_approximate(client):
    response = client.get(reverse("catalog:crosswalk"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Approximate." in content
    row = content.split("Uplift of novices or low-resourced groups")[1].split("</tr>")[0]
    for code in ("CBRN-3", "Biological and Chemical High", "CBRN uplift 1"):
        assert code in row
    assert "→ ASL-3" in row
    assert "→ Security level 2" in row


def test_benchmark_pages_render(client):
    listing = client.get(reverse("catalog:benchmarks")).content.decode()
    assert "Virology Capabilities Test (VCT)" in listing
    assert "saturated" in listing
    detail = client.get(reverse("catalog:benchmark", args=["training-compute"])).content.decode()
    assert "≤ 1e+25" in detail
    assert "&gt; 1e+25" in detail
    assert "0 … ∞" in detail


def test_profile_page_shows_gap(client, profile):
    EvaluationResult.objects.create(profile=profile, benchmark=Benchmark.objects.get(slug="long-form-virology-task-1"),
                                    score=0.83, evaluated_on=datetime.date(2025, 5, 22), source_url=CARD)
    profile.measures_in_place.add(Measure.objects.get(version__slug="anthropic-rsp-2.2", code="asl2-security-standard"))
    content = client.get(reverse("catalog:profile", args=["test-model"])).content.decode()
    section = content.split('id="determination-anthropic-rsp-2.2"')[1].split("</section>")[0]
    assert "<strong>ASL-3</strong>" in section
    assert "Long-form virology task 1 0.83</a>: rules in" in section
    assert "14 required measures are not in place" in section
    assert "in place:" in section
    assert "3 gating thresholds have no decisive result" in section


def test_import_preview_then_confirm(client, profile):
    content = (HEADER + f"test-model,cybench,0.5,fraction,2025-05-22,{CARD}\n").encode()
    preview = client.post(reverse("catalog:evaluation_import"),
                          {"file": SimpleUploadedFile("results.csv", content)})
    assert preview.status_code == 200
    assert "Preview: 1 valid row" in preview.content.decode()
    assert not EvaluationResult.objects.filter(profile__slug="test-model").exists()

    confirm = client.post(reverse("catalog:evaluation_import"), {
        "confirm": "1", "content": base64.b64encode(content).decode(), "filename": "results.csv",
    })
    assert confirm.status_code == 302
    assert EvaluationResult.objects.filter(profile__slug="test-model").get().score == 0.5


def test_import_shows_row_errors(client, profile):
    content = (HEADER + f"test-model,cybench,0.5,ratio,2025-05-22,{CARD}\n"
               f"test-model,nope,0.5,fraction,2025-05-22,{CARD}\n").encode()
    response = client.post(reverse("catalog:evaluation_import"), {"file": SimpleUploadedFile("r.csv", content)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported because of 2 errors" in page
    assert "<tr><td>1</td><td>unit</td><td><code>ratio</code></td>" in page
    assert "<tr><td>2</td><td>benchmark</td><td><code>nope</code></td>" in page
    assert "Store these results" not in page


def test_import_confirm_revalidates(client, profile):
    content = (HEADER + f"test-model,cybench,0.5,fraction,2025-05-22,{CARD}\n").encode()
    data = {"confirm": "1", "content": base64.b64encode(content).decode(), "filename": "results.csv"}
    assert client.post(reverse("catalog:evaluation_import"), data).status_code == 302
    again = client.post(reverse("catalog:evaluation_import"), data)
    assert again.status_code == 400
    assert "already stored" in again.content.decode()
    assert EvaluationResult.objects.filter(profile__slug="test-model").count() == 1


def test_import_altered_preview_rejected(client, profile):
    response = client.post(reverse("catalog:evaluation_import"),
                           {"confirm": "1", "content": "not base64!", "filename": "results.csv"})
    assert response.status_code == 400
    assert "the preview was altered" in response.content.decode()


def test_import_records_user(client, profile, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    Membership.objects.create(user=user, organisation=demo_organisation(), role=Role.ANALYST)
    client.force_login(user)
    content = (HEADER + f"test-model,cybench,0.5,fraction,2025-05-22,{CARD}\n").encode()
    client.post(reverse("catalog:evaluation_import"),
                {"confirm": "1", "content": base64.b64encode(content).decode(), "filename": "results.csv"})
    assert EvaluationResult.objects.filter(profile__slug="test-model").get().entered_by == user


@pytest.mark.parametrize("model", [CapabilityThreshold, Benchmark, ModelProfile, EvaluationResult],
                         ids=lambda model: model.__name__)
def test_new_admin_pages_render(admin_client, profile, model):
    EvaluationResult.objects.create(profile=profile, benchmark=Benchmark.objects.get(slug="cybench"), score=0.5,
                                    evaluated_on=datetime.date(2025, 5, 22), source_url=CARD)
    name = model._meta.model_name
    assert admin_client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200
    change = admin_client.get(reverse(f"admin:catalog_{name}_change", args=[model.objects.last().pk]))
    assert change.status_code == 200


def test_admin_result_records_staff(admin_client, admin_user, profile):
    response = admin_client.post(reverse("admin:catalog_evaluationresult_add"), {
        "profile": profile.pk, "benchmark": Benchmark.objects.get(slug="cybench").pk, "score": "0.4",
        "evaluated_on": "2025-05-22", "source_url": CARD, "note": "",
    })
    assert response.status_code == 302
    result = EvaluationResult.objects.filter(profile__slug="test-model").get()
    assert result.entered_by == admin_user
    assert result.entered_via == "admin"


def test_criterion_conditions_follow_direction():
    criterion = ThresholdCriterion.objects.get(benchmark__slug="long-form-virology-task-1")
    assert (criterion.rule_out_condition, criterion.rule_in_condition) == ("< 0.5", "> 0.8")
    criterion.benchmark.direction = Benchmark.Direction.LOWER_IS_MORE_CAPABLE
    assert (criterion.rule_out_condition, criterion.rule_in_condition) == ("> 0.5", "< 0.8")


@pytest.mark.parametrize("slug", ["anthropic-rsp-2.2", "openai-preparedness-2", "google-deepmind-fsf-3.0",
                                  "eu-ai-act-gpai-2025"])
def test_new_version_pages_render(client, slug):
    response = client.get(reverse("catalog:version", args=[slug]))
    assert response.status_code == 200
    assert "Capability thresholds" in response.content.decode()


def test_every_benchmark_page_renders(client):
    for benchmark in Benchmark.objects.all():
        response = client.get(benchmark.get_absolute_url())
        assert response.status_code == 200, benchmark.slug
