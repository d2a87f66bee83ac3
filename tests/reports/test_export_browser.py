"""The exported HTML file and the PDF, in real headless Chromium."""

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from riskapp.assessments.models import AssessmentRun
from riskapp.reports import exports, selectors
from tests.reports.test_exports import TITLE, hostile_document, store_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# A4 is 210 mm × 297 mm, 595.28 × 841.89 PostScript points. Chromium rounds the page to whole
# CSS pixels (594.96 × 841.92 in Chromium 156), and pdfinfo still names that size A4.
A4_POINTS = (595.28, 841.89)
PAGE_SIZE = re.compile(r"^Page size:\s+([\d.]+) x ([\d.]+) pts \((\w+)\)$", re.MULTILINE)


class HeadingParser(HTMLParser):
    """Collect the text of every <h1>, <h2> and <h3> element."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in {"h1", "h2", "h3"}:
            self._open = []

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag in {"h1", "h2", "h3"} and self._open is not None:
            self.headings.append(" ".join("".join(self._open).split()))
            self._open = None


@pytest.fixture
def assessment(db):
    return store_assessment(hostile_document())


def open_report(page: Page, page_record, report: Path) -> list[str]:
    """Open the exported file in ``page`` and return the list that collects every request."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: page_record.console_errors.append(str(error)))

    def allow_report_only(route):
        # The shared fixture lets only the loopback through. This page may load its own file alone.
        if route.request.url == report.as_uri():
            route.continue_()
        else:
            page_record.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", allow_report_only)
    page.goto(report.as_uri())
    expect(page.locator("html")).to_have_attribute("data-charts-drawn", "true")
    return requested


def test_exported_html_draws_offline(page: Page, page_record, assessment, tmp_path):
    comparison = selectors.build_comparison(assessment)
    report = tmp_path / "report.html"
    report.write_text(exports.report_html(comparison), encoding="utf-8")

    requested = open_report(page, page_record, report)

    figures = selectors.build_figures(comparison)
    assert all(figure is not None for figure in figures.values()), figures.keys()
    for key in figures:
        expect(page.locator(f"#figure-{key} .main-svg").first).to_be_visible()
        expect(page.locator(f"#figure-{key}-placeholder")).to_be_hidden()
    expect(page.locator("#engine-runs tbody tr")).to_have_count(3)
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#matrix-orientation")).to_be_hidden()
    expect(page.locator("#matrix-ranking-rule")).to_be_visible()
    assert page_record.console_errors == []
    assert page_record.outside_requests == []
    assert page_record.failed_responses == []
    assert requested == [report.as_uri()]


def test_exported_html_unfinished_run(page: Page, page_record, assessment, tmp_path):
    ara = assessment.runs.get(engine="ara")
    ara.state = AssessmentRun.State.RUNNING
    ara.chunks_done, ara.result = 1, None
    ara.save()
    report = tmp_path / "report.html"
    report.write_text(exports.report_html(selectors.build_comparison(assessment)), encoding="utf-8")

    requested = open_report(page, page_record, report)

    # The game's result still draws the utility figure, and ARA's missing one leaves a placeholder.
    expect(page.locator("#figure-expected_utility .main-svg").first).to_be_visible()
    expect(page.locator("#figure-convergence")).to_be_hidden()
    expect(page.locator("#figure-convergence-placeholder")).to_be_visible()
    expect(page.locator("#engine-ara")).to_contain_text("25 % done")
    ara_row = page.locator("#engine-runs tbody tr").nth(2)
    expect(ara_row).to_contain_text("running")
    expect(ara_row).to_contain_text(str(ara.seed))
    assert page_record.console_errors == []
    assert page_record.outside_requests == []
    assert requested == [report.as_uri()]


# A code point of the title per script that DejaVu lacks, and the Debian package with a font for it.
TITLE_FONTS = {"模": "fonts-noto-cjk", "🔐": "fonts-noto-color-emoji"}


def test_pdf_contains_title_and_headings(client, assessment, tmp_path):
    # Chromium draws a character without a font as an empty box, which pdftotext cannot read.
    for character, package in TITLE_FONTS.items():
        pattern = f":charset={ord(character):x}"
        fonts = subprocess.run(["fc-list", pattern, "family"], capture_output=True, text=True, check=True).stdout
        assert fonts.strip(), f"no installed font draws {character!r}: apt-get install {package}"
    html = exports.report_html(selectors.build_comparison(assessment))
    parser = HeadingParser()
    parser.feed(html)
    response = client.get(reverse("reports:export_pdf", args=[assessment.pk]))
    document = tmp_path / "report.pdf"
    document.write_bytes(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    info = subprocess.run(["pdfinfo", str(document)], capture_output=True, text=True, check=True).stdout
    width, height, name = PAGE_SIZE.search(info).groups()
    assert name == "A4"
    assert float(width) == pytest.approx(A4_POINTS[0], abs=1)
    assert float(height) == pytest.approx(A4_POINTS[1], abs=1)
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))
    assert pages >= 1

    # -layout keeps each line's words in reading order, which the plain mode mixes up here.
    layout = ["pdftotext", "-layout", str(document), "-"]
    text = subprocess.run(layout, capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert TITLE in flat
    assert parser.headings, "the report has no headings"
    for heading in parser.headings:
        assert heading in flat, heading
    # The footer numbers every page as "n / total".
    for number in range(1, pages + 1):
        page_text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(document), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        assert re.search(rf"^{number}\s*/\s*{pages}$", page_text, re.MULTILINE), (number, page_text[-200:])
