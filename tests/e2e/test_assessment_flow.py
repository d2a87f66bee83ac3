"""A user assesses a scenario in the browser: start, watch the progress, read the report."""

import re

import pytest
from django.conf import settings

from riskapp.assessments.models import AssessmentRun
from tests.workers import wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_assess_scenario_in_browser(live_server, page, page_record, example_revision, start_worker):
    worker = start_worker(concurrency=2)
    chunks = 8
    page.goto(live_server.url + example_revision.scenario.get_absolute_url())
    assert page.locator("h1").inner_text() == example_revision.scenario.title

    page.fill("input[name=samples]", str(chunks * settings.RISKAPP_ARA_CHUNK_SIZE))
    page.fill("input[name=seed]", "42")
    page.click("#assess-form button[type=submit]")
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))

    # The ARA row's bar fills as chunks arrive; the page reloads itself once all runs finish.
    ara_run = AssessmentRun.objects.get(engine="ara")
    row = page.locator(f'tr[data-run="{ara_run.pk}"]')
    wait_for_run(ara_run.pk, workers=[worker])
    row.locator(".run-chunks").filter(has_text=f"{chunks} of {chunks}").wait_for(timeout=30_000)
    assert row.locator(".bar").get_attribute("style") == "width: 100%"
    assert row.locator(".run-state").inner_text().strip() == "succeeded"
    assert page.locator("#worker-warning").is_hidden()

    page.click("#report-link")
    page.wait_for_url(re.compile(r"/reports/assessments/\d+/$"))
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4", timeout=30_000)

    defense_names = [name for name in page.locator("#utility-table").inner_text().splitlines() if name]
    assert any("ASL-3" in line for line in defense_names)
    assert page_record.outside_requests == []
    assert page_record.console_errors == []
    assert [r for r in page_record.failed_responses if not r.endswith("/favicon.ico")] == []


def test_progress_page_warns_without_worker(live_server, page, example_revision):
    page.goto(live_server.url + example_revision.scenario.get_absolute_url())
    assert page.locator("#no-worker").is_visible()
    page.fill("input[name=samples]", "1000")
    page.click("#assess-form button[type=submit]")
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assert page.locator("#worker-warning").is_visible()
