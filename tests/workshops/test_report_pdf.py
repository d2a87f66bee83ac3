"""The workshop report in real headless Chromium: the PDF download, the offline file and the report page."""

import logging
import re
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from riskapp.accounts.models import AuditEvent, Role, demo_organisation
from riskapp.reports import pdf
from riskapp.workshops import exports, services
from tests.workshops.conftest import QUESTION_KEYS, store_scenario
from tests.workshops.test_exports import IN_PROCESS, run_panel, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGE = re.compile(rb"/Type\s*/Page\b")


def pdf_text(document: bytes, tmp_path) -> str:
    """Return the text of a PDF as poppler's pdftotext reads it, without the spaces between words."""
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return compact(text)


def compact(text: str) -> str:
    return "".join(text.split())


def test_report_pdf_renders_text(workshop, questions, facilitator, organisation, django_user_model, settings,
                                 caplog, tmp_path):
    settings.RISKAPP_CHROMIUM = "/usr/bin/chromium"
    panel = run_panel(workshop, questions, facilitator)
    services.apply_pooling(panel.pooling, base_revision=1, user=facilitator, assessment_request=IN_PROCESS)
    client = signed_in(django_user_model, organisation, Role.FACILITATOR)

    with caplog.at_level(logging.WARNING, logger="riskapp.reports.pdf"):
        response = client.get(reverse("workshops:report_pdf", args=[workshop.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Insider threat panel ({workshop.code}).pdf"'
    document = response.content
    assert document.startswith(b"%PDF-")
    assert len(PAGE.findall(document)) >= 3
    blocked = [record.getMessage() for record in caplog.records
               if record.name == "riskapp.reports.pdf" and record.levelno >= logging.WARNING]
    assert blocked == []

    text = pdf_text(document, tmp_path)
    for expected in ["Insider threat panel", f"Join code{workshop.code}", "Round 1 (revealed)", "Round 2 (closed)",
                     "Spread of the answers", "Change between rounds", "modal share 67% (Major)",
                     "Major → Severe", "equal-weight linear pool of round 2", "Weights: E1 0.5, E2 0.5",
                     "likelihood Possible, consequence Severe", "probability 0.225", "Applied as revision 2"]:
        assert compact(expected) in text, expected
    # The charts are drawn, so their axis labels and the participants' labels are in the file.
    for label in ["Catastrophic", "Rare", "Unlikely", "Possible", "Likely", "Almostcertain", "E1", "E2", "E3"]:
        assert label in text, label

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.summary == f"Exported the report of workshop “Insider threat panel” ({workshop.pk}) as PDF"


def test_report_pdf_without_rounds(workshop, settings, tmp_path):
    settings.RISKAPP_CHROMIUM = "/usr/bin/chromium"

    document = pdf.render_pdf(exports.report_html(workshop))

    assert document.startswith(b"%PDF-")
    assert len(PAGE.findall(document)) >= 1
    text = pdf_text(document, tmp_path)
    assert compact("No round has been pooled.") in text
    assert compact("Round 1") not in text


def test_offline_file_draws_every_chart(workshop, questions, facilitator, page, page_record, tmp_path):
    run_panel(workshop, questions, facilitator)
    report = tmp_path / "report.html"
    report.write_text(exports.report_html(workshop), encoding="utf-8")

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: page_record.console_errors.append(str(error)))

    def allow_report_only(route):
        # The shared fixture lets only the loopback through; this page may load its own file alone.
        if route.request.url == report.as_uri():
            route.continue_()
        else:
            page_record.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", allow_report_only)
    page.goto(report.as_uri())

    expect(page.locator("html")).to_have_attribute("data-charts-drawn", "true")
    assert requested == [report.as_uri()]
    # Round 1 has answers to Q1, Q2 and Q4, round 2 to the same three questions.
    for number in (1, 2):
        charts = page.locator(f"#spread-round-{number} .spread-chart:not([hidden]) .main-svg")
        assert charts.count() >= 3
    expect(page.locator("#spread-round-1 [data-question]")).to_have_count(5)
    assert page_record.outside_requests == []
    assert page_record.console_errors == []


def test_report_page_draws_charts(live_server, page, page_record, member):
    revision = store_scenario(demo_organisation())
    workshop = services.open_workshop(revision, title="Demo panel", questions=QUESTION_KEYS, user=member)
    questions = {question.position: question for question in workshop.questions.all()}
    named = {"cell": questions[1], "row": questions[2], "attempt": questions[3], "loss": questions[4],
             "gain": questions[5]}
    run_panel(workshop, named, member)

    page.goto(live_server.url + reverse("workshops:report", args=[workshop.pk]))

    expect(page.locator("html")).to_have_attribute("data-charts-drawn", "true")
    expect(page.locator("#spread-round-2 [data-question]")).to_have_count(5)
    assert page.locator("#spread-round-2 .spread-chart:not([hidden]) .main-svg").count() >= 3
    expect(page.locator("#round-1-heading")).to_have_text("Round 1 (revealed)")
    assert page_record.outside_requests == []
    assert page_record.console_errors == []
    assert page_record.failed_responses == []
