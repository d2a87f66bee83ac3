from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from riskapp.accounts import access
from riskapp.accounts.models import Role
from riskapp.assessments.forms import AssessmentForm
from riskapp.assessments.models import Assessment, AssessmentRun
from riskapp.assessments.selectors import worker_status
from riskapp.scenarios import matrix_views, revision_views, selectors, services
from riskapp.scenarios.format import ScenarioFormatError
from riskapp.scenarios.forms import ScenarioUploadForm

EXPORT_CONTENT_TYPES = {"json": "application/json", "yaml": "application/yaml"}


@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    return render(request, "scenarios/list.html", {
        "scenarios": selectors.scenario_list().filter(pk__in=access.visible_scenarios(request.user).values("pk")),
        "upload_form": ScenarioUploadForm(),
        "organisations": access.organisations_for(request.user, role=Role.ANALYST),
    })


@require_GET
def scenario_detail(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = access.scenario_for(request, slug, role=Role.VIEWER)
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
    revisions = list(scenario.revisions.order_by("-number"))
    return render(request, "scenarios/detail.html", {
        "scenario": scenario,
        "revision": revision,
        "revisions": revisions,
        "rating_changes": matrix_views.rating_change_states(revisions),
        "document": document,
        "data": document.data,
        "assessment_form": assessment_form,
        "assessments": revision.assessments.order_by("-created_at")[:10],
        "worker": worker_status(),
        "upload_form": ScenarioUploadForm(),
        "can": access.permissions(request.user, scenario.organisation),
        # Copying needs the analyst role in the organisation that receives the copy, which may be another one.
        "can_copy": access.permissions_anywhere(request.user).edit,
    }, status=status)


@require_http_methods(["GET", "POST"])
def scenario_import(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    scenario = access.scenario_for(request, slug, role=Role.ANALYST) if slug else None
    organisations = access.organisations_for(request.user, role=Role.ANALYST)
    form = ScenarioUploadForm(request.POST or None, request.FILES or None)
    errors: list = []
    organisation = scenario.organisation if scenario else None
    if scenario is None:
        try:
            organisation = access.chosen_organisation(request, role=Role.ANALYST)
        except access.OrganisationChoiceError as error:
            if request.method == "POST":
                errors.append(str(error))
    if request.method == "POST" and form.is_valid() and not errors:
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
                                                author=request.user, organisation=organisation)
            messages.success(request, _("Imported “%(title)s” as revision %(number)d.")
                             % {"title": revision.scenario.title, "number": revision.number})
            return redirect(revision.scenario)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "errors": errors, "scenario": scenario, "organisations": organisations,
               "organisation": organisation}
    return render(request, "scenarios/import.html", context, status=status)


@require_http_methods(["GET", "POST"])
def scenario_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask to confirm (GET), then hide the scenario from every page (POST); analysts may delete.

    The revisions, assessments, runs and audit events stay stored, and an admin of the organisation
    can restore the scenario from the list of deleted scenarios.
    """
    scenario = access.scenario_for(request, slug, role=Role.ANALYST)
    if request.method == "POST":
        services.delete_scenario(scenario, user=request.user)
        messages.success(request, _("Deleted “%(title)s”. An admin of %(organisation)s can restore it.")
                         % {"title": scenario.title, "organisation": scenario.organisation.name})
        return redirect("scenarios:list")

    return render(request, "scenarios/delete.html", {
        "scenario": scenario,
        "revision_count": scenario.revisions.count(),
        "assessment_count": Assessment.objects.filter(revision__scenario=scenario).count(),
        "run_count": AssessmentRun.objects.filter(revision__scenario=scenario).count(),
    })


@require_GET
def scenario_export(request: HttpRequest, slug: str, number: int, syntax: str) -> HttpResponse:
    if syntax not in EXPORT_CONTENT_TYPES:
        raise Http404
    revision = access.scenario_for(request, slug, role=Role.VIEWER).revisions.filter(number=number).first()
    if revision is None:
        raise Http404(_("No such revision."))
    filename, text = services.export_revision(revision, syntax=syntax, user=request.user)
    response = HttpResponse(text.encode("utf-8"), content_type=f"{EXPORT_CONTENT_TYPES[syntax]}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
