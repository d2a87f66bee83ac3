"""The workshop report in real headless Chromium: the PDF download, the offline file and the report page."""

import logging
import re
import zlib

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from riskapp.accounts.models import AuditEvent, Role, demo_organisation
from riskapp.reports import pdf
from riskapp.workshops import exports, services
from tests.workshops.conftest import QUESTION_KEYS, store_scenario
from tests.workshops.test_exports import IN_PROCESS, run_panel, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# The PDF reader below reads what Chromium's PDF backend (Skia) writes: numbered objects,
# Flate-compressed streams, and Type0 fonts whose ToUnicode maps turn glyph codes into text.
OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.DOTALL)
STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream", re.DOTALL)
TEXT_OPERATION = re.compile(rb"/([\w.+-]+)\s+[-\d.]+\s+Tf|\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj")
PAGE = re.compile(rb"/Type\s*/Page\b")


def pdf_objects(document: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Return each object's dictionary and, for a stream, its decompressed data."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in OBJECT.finditer(document):
        body = match.group(2)
        stream = STREAM.match(body)
        if stream is None:
            objects[int(match.group(1))] = (body, None)
            continue
        head, data = stream.groups()
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        objects[int(match.group(1))] = (head, data)
    return objects


def unicode_map(cmap: bytes) -> dict[int, str]:
    """Read the bfchar and bfrange entries of a ToUnicode CMap."""
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for start, end, first in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[code] = chr(int(first, 16) + offset)
    return mapping


def pdf_text(document: bytes) -> str:
    """Return the text of every page and drawing of a Chromium PDF, without the spaces between words."""
    objects = pdf_objects(document)
    maps = {}
    for number, (head, _data) in objects.items():
        reference = re.search(rb"/ToUnicode\s+(\d+) 0 R", head)
        if reference:
            maps[number] = unicode_map(objects[int(reference.group(1))][1] or b"")

    streams = []
    for head, data in objects.values():
        if PAGE.search(head):
            streams += [(head, objects[int(reference)][1]) for reference in re.findall(rb"/Contents\s+(\d+) 0 R", head)]
        elif data is not None and b"/Subtype /Form" in head:
            streams.append((head, data))

    texts = []
    for head, data in streams:
        block = re.search(rb"/Font\s*<<(.*?)>>", head, re.DOTALL)
        fonts = {} if block is None else {
            name: maps.get(int(reference), {})
            for name, reference in re.findall(rb"/([\w.+-]+)\s+(\d+) 0 R", block.group(1))}
        font: dict[int, str] = {}
        for match in TEXT_OPERATION.finditer(data or b""):
            name, array, single = match.groups()
            if name is not None:
                font = fonts.get(name, {})
                continue
            strings = re.findall(rb"<([0-9A-Fa-f]*)>", array) if array is not None else [single]
            for string in strings:
                codes = bytes.fromhex(string.decode())
                # Type0 fonts with the Identity-H encoding use two bytes per glyph.
                texts.append("".join(font.get(int.from_bytes(codes[i:i + 2], "big"), "")
                                     for i in range(0, len(codes), 2)))
    return "".join("".join(texts).split())


def compact(text: str) -> str:
    return "".join(text.split())


def test_report_pdf_renders_text(workshop, questions, facilitator, organisation, django_user_model, settings,
                                 caplog):
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

    text = pdf_text(document)
    for expected in ["Insider threat panel", f"Join code{workshop.code}", "Round 1 (revealed)", "Round 2 (closed)",
                     "Spread of the answers", "Change between rounds", "modal share 67% (Major)",
                     "between Major and Severe", "equal-weight linear pool of round 2", "Weights: E1 0.5, E2 0.5",
                     "likelihood Possible, consequence Severe", "probability 0.225", "Applied as revision 2"]:
        assert compact(expected) in text, expected
    # The charts are drawn, so their axis labels and the participants' labels are in the file.
    assert "CatastrophicRareUnlikelyPossibleLikelyAlmostcertain" in text
    assert "E1E2E3" in text

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.summary == f"Exported the report of workshop “Insider threat panel” ({workshop.pk}) as PDF"


def test_report_pdf_without_rounds(workshop, settings):
    settings.RISKAPP_CHROMIUM = "/usr/bin/chromium"

    document = pdf.render_pdf(exports.report_html(workshop))

    assert document.startswith(b"%PDF-")
    assert len(PAGE.findall(document)) >= 1
    text = pdf_text(document)
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
