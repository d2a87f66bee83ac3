"""The comparison page in headless Chromium: figures drawn by local plotly.js, live refresh."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from riskapp.assessments.models import AssessmentRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_browser_redraws_finished_run(live_server, page: Page, assessment, ara_result):
    ara = assessment.runs.get(engine="ara")
    ara.state = AssessmentRun.State.RUNNING
    ara.chunks_planned, ara.chunks_done, ara.result = 4, 1, None
    ara.save()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The shared page fixture aborts requests that leave the loopback and records them.

    page.goto(live_server.url + reverse("reports:comparison", args=[assessment.pk]))

    expect(page.locator("#figure-expected_utility .main-svg").first).to_be_visible()
    expect(page.locator("#figure-risk_matrix .main-svg").first).to_be_visible()
    expect(page.locator("#engine-ara")).to_contain_text("25 % done")
    expect(page.locator("#figure-convergence")).to_be_hidden()

    ara.state = AssessmentRun.State.SUCCEEDED
    ara.chunks_done, ara.result = 4, ara_result
    ara.save()

    # The page polls every second, and five seconds leave room for a slow machine.
    expect(page.locator("#figure-convergence .main-svg").first).to_be_visible(timeout=5000)
    expect(page.locator("#engine-ara")).to_contain_text("Recommended defense: ASL-3 security")
    expect(page.locator("#engine-ara .progress")).to_have_count(0)
    assert errors == []
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert any("/data.json?known=" in url for url in requested)
