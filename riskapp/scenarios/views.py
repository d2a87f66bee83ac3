from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from riskapp.assessments.forms import AssessmentForm
from riskapp.assessments.selectors import worker_status
from riskapp.scenarios import revision_views, selectors, services
from riskapp.scenarios.format import ScenarioFormatError
from riskapp.scenarios.forms import ScenarioUploadForm
from riskapp.scenarios.models import Scenario

EXPORT_CONTENT_TYPES = {"json": "application/json", "yaml": "application/yaml"}


@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    return render(request, "scenarios/list.html", {
        "scenarios": selectors.scenario_list(),
        "upload_form": ScenarioUploadForm(),
    })


@require_GET
def scenario_detail(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario, slug=slug)
    revisions = scenario.revisions.order_by("-number")
    number = request.GET.get("revision")
    revision = revisions.filter(number=number).first() if number and number.isdigit() else revisions.first()
    if revision is None:
        raise Http404(_("This scenario has no revision."))
    return render_scenario_detail(request, revision, assessment_form=AssessmentForm())


def render_scenario_detail(request: HttpRequest, revision, *, assessment_form: AssessmentForm,
                           status: int = 200) -> HttpResponse:
    """Render a revision's page; a rejected assessment form comes back with its values and errors."""
    scenario = revision.scenario
    document = selectors.revision_document(revision)
    return render(request, "scenarios/detail.html", {
        "scenario": scenario,
        "revision": revision,
        "revisions": scenario.revisions.order_by("-number"),
        "document": document,
        "data": document.data,
        "assessment_form": assessment_form,
        "assessments": revision.assessments.order_by("-created_at")[:10],
        "worker": worker_status(),
        "upload_form": ScenarioUploadForm(),
    }, status=status)


@require_http_methods(["GET", "POST"])
def scenario_import(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    scenario = get_object_or_404(Scenario, slug=slug) if slug else None
    form = ScenarioUploadForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = services.parse_upload(upload.read(), upload.name)
        except ScenarioFormatError as error:
            errors = error.errors
        else:
            unchanged = services.identical_latest_revision(scenario, document) if scenario else None
            if unchanged is not None:
                messages.info(request, _("The file is identical to revision %(number)d, so no new revision was "
                                         "stored.") % {"number": unchanged.number})
                return redirect(scenario)
            if scenario is not None:
                return revision_views.save_uploaded_revision(request, scenario, document, form.cleaned_data["comment"])
            revision = services.import_scenario(document, scenario=scenario, comment=form.cleaned_data["comment"],
                                                author=request.user if request.user.is_authenticated else None)
            messages.success(request, _("Imported “%(title)s” as revision %(number)d.")
                             % {"title": revision.scenario.title, "number": revision.number})
            return redirect(revision.scenario)
    status = 400 if request.method == "POST" else 200
    return render(request, "scenarios/import.html", {"form": form, "errors": errors, "scenario": scenario},
                  status=status)


@require_GET
def scenario_export(request: HttpRequest, slug: str, number: int, syntax: str) -> HttpResponse:
    if syntax not in EXPORT_CONTENT_TYPES:
        raise Http404
    revision = get_object_or_404(Scenario, slug=slug).revisions.filter(number=number).first()
    if revision is None:
        raise Http404(_("No such revision."))
    filename, text = services.export_revision(revision, syntax=syntax)
    response = HttpResponse(text.encode("utf-8"), content_type=f"{EXPORT_CONTENT_TYPES[syntax]}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
