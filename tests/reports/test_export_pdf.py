"""PDF rendering in headless Chromium: blocked requests, time limit and missing or broken Chromium."""

import logging
import subprocess

import pytest
from django.urls import reverse

from riskapp.reports import pdf
from tests.reports.test_exports import hostile_document, store_assessment

pytestmark = pytest.mark.browser

DRAWN = "<script>document.documentElement.dataset.chartsDrawn = 'true';</script>"

# 192.0.2.0/24 is reserved for documentation (RFC 5737), so no server exists there anyway.
OUTSIDE_IMAGE = "http://192.0.2.1/pixel.png"
OUTSIDE_STYLESHEET = "https://example.org/report.css"


def test_render_pdf_blocks_outside_requests(settings, caplog, tmp_path):
    settings.RISKAPP_CHROMIUM = "/usr/bin/chromium"
    html = (
        f'<!DOCTYPE html><html><head><link rel="stylesheet" href="{OUTSIDE_STYLESHEET}"></head>'
        f'<body><h1>Blocked requests</h1><img src="{OUTSIDE_IMAGE}" alt="">{DRAWN}</body></html>'
    )

    with caplog.at_level(logging.WARNING, logger="riskapp.reports.pdf"):
        document = pdf.render_pdf(html)

    assert document.startswith(b"%PDF-")
    blocked = [record.getMessage() for record in caplog.records]
    assert f"PDF rendering blocked a request to {OUTSIDE_IMAGE}" in blocked
    assert f"PDF rendering blocked a request to {OUTSIDE_STYLESHEET}" in blocked
    path = tmp_path / "blocked.pdf"
    path.write_bytes(document)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Blocked requests" in text


def test_render_pdf_times_out_undrawn(settings, monkeypatch):
    settings.RISKAPP_CHROMIUM = "/usr/bin/chromium"
    monkeypatch.setattr(pdf, "TIME_LIMIT_SECONDS", 3)

    with pytest.raises(pdf.PdfRenderingFailed, match=r"^Rendering the PDF timed out after 3 s\.$"):
        pdf.render_pdf("<!DOCTYPE html><html><body><p>Charts never drawn.</p></body></html>")


def test_render_pdf_non_executable_chromium(settings, tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("not a program")
    chromium.chmod(0o644)
    settings.RISKAPP_CHROMIUM = str(chromium)

    assert pdf.unavailable_reason() == (
        f"Chromium was not found at {chromium}. Install it or set RISKAPP_CHROMIUM to its executable."
    )
    with pytest.raises(pdf.PdfUnavailable, match="Chromium was not found"):
        pdf.render_pdf(f"<html><body>{DRAWN}</body></html>")


def test_render_pdf_broken_chromium(settings):
    # /bin/false is executable but exits at once, as a broken Chromium installation would.
    settings.RISKAPP_CHROMIUM = "/bin/false"

    assert pdf.unavailable_reason() is None
    with pytest.raises(pdf.PdfRenderingFailed, match="^Chromium failed to render the PDF: "):
        pdf.render_pdf(f"<html><body>{DRAWN}</body></html>")


@pytest.mark.django_db
def test_pdf_view_broken_chromium(client, settings):
    settings.RISKAPP_CHROMIUM = "/bin/false"
    assessment = store_assessment(hostile_document())

    response = client.get(reverse("reports:export_pdf", args=[assessment.pk]))

    assert response.status_code == 503
    assert "Chromium failed to render the PDF: " in response.content.decode()
    assert "Content-Disposition" not in response
