"""The results import in real headless Chromium: upload, preview, confirm, then the profile page."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from riskapp.catalog.models import EvaluationResult
from riskapp.catalog.services import DATA_DIR, load_benchmark_file, load_framework_file, load_model_profile_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD = "https://www-cdn.anthropic.com/6be99a52cb68eb70eb9572b4cafad13df32ed995.pdf"


def test_browser_preview_then_store(live_server, page: Page, page_record, tmp_path):
    # A transactional test may start with tables emptied by an earlier one, so it loads what it needs.
    for name in ("rand-securing-model-weights-2024", "anthropic-rsp-2.2", "openai-preparedness-2",
                 "google-deepmind-fsf-3.0", "eu-ai-act-gpai-2025"):
        load_framework_file(DATA_DIR / f"{name}.yaml")
    load_benchmark_file(DATA_DIR / "benchmarks.yaml")
    load_model_profile_file(DATA_DIR / "model-profiles" / "claude-opus-4.yaml")
    path = tmp_path / "résultats.csv"
    path.write_text("model,benchmark,score,unit,date,source_url\n"
                    f"claude-opus-4,virology-capabilities-test,0.5,fraction,2025-06-01,{CARD}\n", encoding="utf-8")

    page.goto(live_server.url + reverse("catalog:evaluation_import"))
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 1 valid row")).to_be_visible()
    assert not EvaluationResult.objects.filter(benchmark__slug="virology-capabilities-test").exists()

    page.get_by_role("button", name="Store these results").click()
    expect(page.get_by_text("Imported 1 evaluation result.")).to_be_visible()
    page.goto(live_server.url + reverse("catalog:profile", args=["claude-opus-4"]))
    expect(page.locator("#determination-anthropic-rsp-2\\.2 .required-level")).to_contain_text("ASL-3")
    result = EvaluationResult.objects.get(benchmark__slug="virology-capabilities-test")
    assert result.entered_via == "import of résultats.csv"
    assert page_record.console_errors == []
    assert page_record.outside_requests == []
