"""The risk-matrix orientation control in headless Chromium: the heatmap redraws and stays oriented."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tick_labels(page: Page, axis: str) -> list[str]:
    # The first panel's axis; every panel shares the same band order.
    return page.locator(f"#figure-risk_matrix .{axis}tick text").all_text_contents()


def test_browser_orientation_form_transposes(live_server, page: Page, assessment):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = live_server.url + reverse("reports:comparison", args=[assessment.pk])
    page.goto(url)
    expect(page.locator("#figure-risk_matrix .main-svg").first).to_be_visible()
    assert tick_labels(page, "x")[:3] == ["Minor", "Major", "Catastrophic"]

    page.select_option("#matrix-orientation select[name=likelihood_on]", "columns")
    page.check("#matrix-orientation input[name=reverse_consequence]")
    page.click("#matrix-orientation button[type=submit]")
    expect(page.locator("#figure-risk_matrix .main-svg").first).to_be_visible()

    assert tick_labels(page, "x")[:3] == ["Rare", "Possible", "Likely"]
    assert tick_labels(page, "y")[:3] == ["Catastrophic", "Major", "Minor"]

    page.goto(url)
    expect(page.locator("#figure-risk_matrix .main-svg").first).to_be_visible()
    assert tick_labels(page, "x")[:3] == ["Rare", "Possible", "Likely"]
    page.locator("#risk-matrix").screenshot(path="/tmp/full9-matrix.png")
    assert errors == []
