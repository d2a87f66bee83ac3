"""The comparison page of one assessment, its polling endpoint, its downloads, and plotly.js served locally."""

import logging
from datetime import UTC, datetime
from pathlib import Path

import plotly
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_GET

from riskapp.accounts import access, audit
from riskapp.accounts.models import AuditEvent, Role
from riskapp.assessments.models import Assessment
from riskapp.reports import exports, pdf, selectors

logger = logging.getLogger(__name__)

# The minified bundle that ships inside the plotly Python package, so no page needs a CDN.
PLOTLY_JS_PATH = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

# Pages request the script with ``?v=<plotly version>``, so a year of caching is safe across upgrades.
PLOTLY_JS_CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_GET
def comparison(request: HttpRequest, assessment_id: int) -> HttpResponse:
    comparison = selectors.build_comparison(_get_assessment(request, assessment_id))
    orientation = selectors.matrix_orientation(request)
    context = {
        "comparison": comparison,
        "figures": selectors.build_figures(comparison, orientation=orientation),
        "orientation": orientation,
        "plotly_version": plotly.__version__,
        "pdf_unavailable_reason": pdf.unavailable_reason(),
    }
    return render(request, "reports/comparison.html", context)


@require_GET
def comparison_data(request: HttpRequest, assessment_id: int) -> JsonResponse:
    """Return the runs' progress, and the page's parts that changed since the versions the page names.

    ``?known=<version>`` omits the summary when nothing changed, and ``?known_results=<results
    version>`` omits the figures, which are the costly part, when no result changed.
    """
    comparison = selectors.build_comparison(_get_assessment(request, assessment_id))
    version = comparison.version
    results_version = comparison.results_version
    data = {
        "assessment": comparison.assessment.pk,
        "version": version,
        "results_version": results_version,
        "finished": comparison.is_finished,
        "runs": [
            {
                "engine": summary.engine,
                "state": summary.state,
                "state_label": summary.run.get_state_display(),
                "progress": summary.run.progress,
                "error_message": summary.run.error_message,
            }
            for summary in comparison.engines
        ],
        "changed": request.GET.get("known") != version,
    }
    if data["changed"]:
        data["summary_html"] = render_to_string("reports/_summary.html", {"comparison": comparison}, request)
    if request.GET.get("known_results") != results_version:
        data["figures"] = selectors.build_figures(comparison, orientation=selectors.matrix_orientation(request))
    return JsonResponse(data)


def _plotly_js_modified(request: HttpRequest) -> datetime:
    return datetime.fromtimestamp(PLOTLY_JS_PATH.stat().st_mtime, tz=UTC)


# The script is the public plotly.js bundle, so the sign-in page and error pages may load it too.
# gzip shrinks plotly 7.1.0's bundle from 4.8 MB to 1.5 MB for about 0.2 s of CPU per download
# (level 6, measured once on a 2-core AMD EPYC virtual machine). The long cache lifetime means a
# browser downloads it once.
@login_not_required
@require_GET
@gzip_page
@condition(last_modified_func=_plotly_js_modified)
def plotly_js(request: HttpRequest) -> FileResponse:
    response = FileResponse(PLOTLY_JS_PATH.open("rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = PLOTLY_JS_CACHE_CONTROL
    return response


# The file embeds plotly.js, about 4.8 MB, which gzip shrinks to about 1.5 MB.
@require_GET
@gzip_page
def export_html(request: HttpRequest, assessment_id: int) -> HttpResponse:
    comparison = selectors.build_comparison(_get_assessment(request, assessment_id))
    response = HttpResponse(exports.report_html(comparison, request), content_type="text/html; charset=utf-8")
    _audit_export(request, comparison.assessment, "html")
    return _as_attachment(response, exports.export_filename(comparison, "html"))


# NOTE: Chromium renders the PDF inside the web request, which occupies a web worker for several
# seconds (pdf.TIME_LIMIT_SECONDS at most). Move it to a Celery task if reports grow or downloads
# become frequent.
@require_GET
def export_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    comparison = selectors.build_comparison(_get_assessment(request, assessment_id))
    try:
        document = pdf.render_pdf(exports.report_html(comparison, request))
    except (pdf.PdfUnavailable, pdf.PdfRenderingFailed) as error:
        logger.error("PDF export of assessment %s failed: %s", comparison.assessment.pk, error)
        pk = comparison.assessment.pk
        context = {"reason": str(error), "html_url": reverse("reports:export_html", args=[pk]),
                   "json_url": reverse("reports:export_json", args=[pk]),
                   "csv_url": reverse("reports:export_csv", args=[pk]),
                   "back_url": reverse("reports:comparison", args=[pk]), "back_text": _("Back to the comparison")}
        return render(request, "reports/pdf_unavailable.html", context, status=503)
    response = HttpResponse(document, content_type="application/pdf")
    _audit_export(request, comparison.assessment, "pdf")
    return _as_attachment(response, exports.export_filename(comparison, "pdf"))


@require_GET
def export_json(request: HttpRequest, assessment_id: int) -> HttpResponse:
    comparison = selectors.build_comparison(_get_assessment(request, assessment_id))
    response = HttpResponse(exports.report_json(comparison), content_type="application/json; charset=utf-8")
    _audit_export(request, comparison.assessment, "json")
    return _as_attachment(response, exports.export_filename(comparison, "json"))


@require_GET
def export_csv(request: HttpRequest, assessment_id: int) -> HttpResponse:
    comparison = selectors.build_comparison(_get_assessment(request, assessment_id))
    response = HttpResponse(exports.report_csv(comparison), content_type="text/csv; charset=utf-8")
    _audit_export(request, comparison.assessment, "csv")
    return _as_attachment(response, exports.export_filename(comparison, "csv"))


def _as_attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # Django writes a non-ASCII name as RFC 5987 filename*=utf-8''…, an ASCII one as filename="…".
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _get_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    return access.assessment_for(request, assessment_id, role=Role.VIEWER)


def _audit_export(request: HttpRequest, assessment: Assessment, extension: str) -> None:
    audit.record(request.user, assessment.revision.scenario.organisation, AuditEvent.Action.EXPORT, assessment,
                 f"Exported the comparison report of {assessment.revision} as {extension.upper()}")
