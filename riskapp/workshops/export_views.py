"""Downloads of a workshop: its judgements as CSV and JSON, and the report as a page, an HTML file and a PDF.

Every view needs the facilitator role in the scenario's organisation; other organisations' ids
give 404. Participants, who have no account, cannot reach them.
"""

import logging

import plotly
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from riskapp.accounts import audit
from riskapp.accounts.models import AuditEvent, Role
from riskapp.reports import pdf
from riskapp.workshops import exports, selectors
from riskapp.workshops.models import Workshop

logger = logging.getLogger(__name__)


@require_GET
def export_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    workshop = _get_workshop(request, pk)
    scope = exports.export_scope(workshop)
    response = StreamingHttpResponse(exports.iter_csv(scope), content_type="text/csv; charset=utf-8")
    _audit_export(request, workshop, "the judgements", "csv")
    return _as_attachment(response, exports.export_filename(workshop, "csv"))


@require_GET
def export_json(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    workshop = _get_workshop(request, pk)
    scope = exports.export_scope(workshop)
    response = StreamingHttpResponse(exports.iter_json(scope), content_type="application/json; charset=utf-8")
    _audit_export(request, workshop, "the judgements", "json")
    return _as_attachment(response, exports.export_filename(workshop, "json"))


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    context = exports.report_context(workshop, offline=False)
    context["plotly_version"] = plotly.__version__
    context["pdf_unavailable_reason"] = pdf.unavailable_reason()
    return render(request, "workshops/report.html", context)


# The file embeds plotly.js, about 4.8 MB, which gzip shrinks to about 1.5 MB.
@require_GET
@gzip_page
def report_html(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    response = HttpResponse(exports.report_html(workshop, request), content_type="text/html; charset=utf-8")
    _audit_export(request, workshop, "the report", "html")
    return _as_attachment(response, exports.export_filename(workshop, "html"))


# NOTE: Chromium renders the PDF inside the web request, which occupies a web worker for several
# seconds (pdf.TIME_LIMIT_SECONDS at most), as the assessment report's PDF does.
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    try:
        document = pdf.render_pdf(exports.report_html(workshop, request))
    except (pdf.PdfUnavailable, pdf.PdfRenderingFailed) as error:
        logger.error("PDF export of workshop %s failed: %s", workshop.pk, error)
        context = {"reason": str(error), "html_url": reverse("workshops:report_html", args=[workshop.pk]),
                   "json_url": reverse("workshops:export_json", args=[workshop.pk]),
                   "csv_url": reverse("workshops:export_csv", args=[workshop.pk]),
                   "back_url": reverse("workshops:report", args=[workshop.pk]),
                   "back_text": _("Back to the workshop report")}
        return render(request, "reports/pdf_unavailable.html", context, status=503)
    response = HttpResponse(document, content_type="application/pdf")
    _audit_export(request, workshop, "the report", "pdf")
    return _as_attachment(response, exports.export_filename(workshop, "pdf"))


def _get_workshop(request: HttpRequest, pk: int) -> Workshop:
    return selectors.workshop_for(request, pk, role=Role.FACILITATOR)


def _as_attachment(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    # Django writes a non-ASCII name as RFC 5987 filename*=utf-8''…, an ASCII one as filename="…".
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _audit_export(request: HttpRequest, workshop: Workshop, what: str, extension: str) -> None:
    audit.record(request.user, workshop.organisation, AuditEvent.Action.EXPORT, workshop,
                 f"Exported {what} of workshop “{workshop.title}” ({workshop.pk}) as {extension.upper()}")
