import plotly
import plotly.io
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from riskapp.accounts import access
from riskapp.accounts.models import Role
from riskapp.assessments import selectors, sensitivity, services
from riskapp.assessments.forms import AssessmentForm, SensitivityForm
from riskapp.reports.sensitivity_figures import tornado_figure
from riskapp.scenarios.views import render_scenario_detail


@require_POST
def start(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = access.revision_for(request, revision_id, role=Role.ANALYST)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            assessment = services.start_assessment(revision, form.to_request(), user=request.user)
        except services.AssessmentRequestError as error:
            form.add_error(None, str(error))
        else:
            return redirect(assessment)
    # The page comes back with the values entered and each error beside its field.
    return render_scenario_detail(request, revision, assessment_form=form, status=400)


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.assessment_for(request, pk, role=Role.VIEWER)
    context = {
        "assessment": assessment,
        "runs": assessment.runs.order_by("pk"),
        "progress": selectors.assessment_progress(assessment),
        "sensitivity_form": SensitivityForm(),
        "worker_silence_seconds": selectors.WORKER_SILENCE_FACTOR * settings.RISKAPP_WORKER_HEARTBEAT_SECONDS,
        "analyses": assessment.sensitivity_analyses.all(),
        "can": access.permissions(request.user, assessment.revision.scenario.organisation),
    }
    return render(request, "assessments/detail.html", context)


@require_GET
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    assessment = access.assessment_for(request, pk, role=Role.VIEWER)
    return JsonResponse(selectors.assessment_progress(assessment))


@require_POST
def cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.run_for(request, run_id, role=Role.ANALYST)
    if services.cancel_run(run.pk, user=request.user):
        messages.success(request, _("The run was cancelled."))
    else:
        messages.error(request, _("The run had already finished."))
    return redirect(run.assessment)


@require_POST
def start_sensitivity(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.assessment_for(request, pk, role=Role.ANALYST)
    form = SensitivityForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect(assessment)
    analysis = sensitivity.start_sensitivity(assessment, samples=form.cleaned_data["samples"], user=request.user)
    return redirect(analysis)


@require_GET
def sensitivity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = access.analysis_for(request, pk, role=Role.VIEWER)
    context = {"analysis": analysis, "progress": selectors.sensitivity_progress(analysis),
               "plotly_version": plotly.__version__,
               "can": access.permissions(request.user, analysis.assessment.revision.scenario.organisation)}
    if analysis.result is not None:
        names = selectors.defense_names(analysis.assessment.revision)
        figure = tornado_figure(analysis.result, defense_names=names, labels=selectors.tornado_labels(),
                                engine_titles=selectors.engine_titles())
        context["figure_json"] = plotly.io.to_json(figure)
        context["rows"] = selectors.sensitivity_rows(analysis.result, names)
    return render(request, "assessments/sensitivity.html", context)


@require_GET
def sensitivity_progress(request: HttpRequest, pk: int) -> JsonResponse:
    analysis = access.analysis_for(request, pk, role=Role.VIEWER)
    return JsonResponse(selectors.sensitivity_progress(analysis))


@require_POST
def cancel_sensitivity(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = access.analysis_for(request, pk, role=Role.ANALYST)
    if sensitivity.cancel_analysis(analysis.pk, user=request.user):
        messages.success(request, _("The sensitivity analysis was cancelled."))
    else:
        messages.error(request, _("The sensitivity analysis had already finished."))
    return redirect(analysis)
