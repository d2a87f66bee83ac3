"""Catalog pages. The frameworks and benchmarks restate public documents, so anyone may read them
without signing in. Model profiles and their evaluation results belong to an organisation: the
demo organisation's profiles are public, and the others follow the organisation's roles.
Importing results needs the analyst role in the organisation of each profile that a row names. A
scenario drafted from a profile goes to an organisation where the user is analyst or above, and
for a profile outside the demo organisation only to the profile's own organisation."""

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from riskapp.accounts import access
from riskapp.accounts.models import Organisation, Role
from riskapp.catalog import selectors, services
from riskapp.catalog.evaluation_file import FILE_ROW, EvaluationFileError, RowError, read_evaluation_file
from riskapp.catalog.forms import EvaluationConfirmForm, EvaluationUploadForm
from riskapp.catalog.models import Benchmark, ModelProfile
from riskapp.catalog.scenario_draft import DraftScenarioError, create_draft_scenario


@login_not_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {"frameworks": selectors.list_frameworks()})


@login_not_required
@require_safe
def version_detail(request: HttpRequest, version_slug: str) -> HttpResponse:
    version = selectors.get_version_or_404(version_slug)
    levels = []
    for level in selectors.list_levels(version):
        required = selectors.required_measures(level)
        levels.append({
            "level": level,
            "own": selectors.split_by_kind(level.measures.all()),
            "required": selectors.split_by_kind(required),
            "required_count": len(required),
        })

    context = {
        "version": version,
        "levels": levels,
        "thresholds": selectors.list_thresholds(version),
        "sources": version.sources.all(),
        "threat_actor_tiers": version.threat_actor_tiers.select_related("countered_by").order_by("order"),
    }
    return render(request, "catalog/version_detail.html", context)


@login_not_required
@require_safe
def level_detail(request: HttpRequest, version_slug: str, level_slug: str) -> HttpResponse:
    version = selectors.get_version_or_404(version_slug)
    level = selectors.get_level_or_404(version, level_slug)
    context = {
        "version": version,
        "level": level,
        "own": selectors.split_by_kind(level.measures.select_related("supersedes").order_by("kind", "pk")),
        "required": selectors.split_by_kind(selectors.required_measures(level)),
        "threat_actor_tiers": level.countered_tiers.order_by("order"),
    }
    return render(request, "catalog/level_detail.html", context)


@login_not_required
@require_safe
def crosswalk(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/crosswalk.html", selectors.crosswalk_table())


@login_not_required
@require_safe
def benchmark_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/benchmark_list.html", {"benchmarks": selectors.list_benchmarks()})


@login_not_required
@require_safe
def benchmark_detail(request: HttpRequest, slug: str) -> HttpResponse:
    benchmark = get_object_or_404(Benchmark, slug=slug)
    criteria = benchmark.criteria.select_related("threshold__version__framework").order_by("threshold__version", "pk")
    return render(request, "catalog/benchmark_detail.html", {"benchmark": benchmark, "criteria": criteria})


@login_not_required
@require_safe
def profile_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/profile_list.html", {
        "profiles": access.visible_profiles(request.user).select_related("organisation"),
        "can": access.permissions_anywhere(request.user),
    })


@login_not_required
@require_safe
def profile_detail(request: HttpRequest, slug: str) -> HttpResponse:
    profile = access.profile_for(request, slug, role=Role.VIEWER)
    determinations = [selectors.determine_for_profile(profile, version)
                      for version in selectors.versions_with_thresholds()]
    results = profile.results.select_related("benchmark", "framework_version__framework", "entered_by")
    return render(request, "catalog/profile_detail.html", {
        "profile": profile,
        "results": results.order_by("benchmark__name", "-evaluated_on"),
        "determinations": determinations,
        "organisations": _draft_organisations(request, profile),
        "can": access.permissions(request.user, profile.organisation),
    })


def _draft_organisations(request: HttpRequest, profile: ModelProfile) -> QuerySet[Organisation]:
    """Return the organisations where a scenario drafted from the profile may go.

    For a demo profile that is any organisation where the user is analyst. Any other profile's
    draft stays in the profile's organisation, so that confidential results never reach another one.
    """
    organisations = access.organisations_for(request.user, role=Role.ANALYST)
    if profile.organisation.is_demo:
        return organisations
    return organisations.filter(pk=profile.organisation_id)


@require_http_methods(["GET", "POST"])
def evaluation_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of results, preview its rows or errors, then confirm to store them."""
    access.check_role_anywhere(request.user, Role.ANALYST)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request)

    form = EvaluationUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            context["rows"] = read_evaluation_file(content, upload.name,
                                                   profiles=access.writable_profiles(request.user))
        except EvaluationFileError as error:
            context["errors"] = error.errors
        else:
            context["confirm_form"] = EvaluationConfirmForm(initial={
                "content": base64.b64encode(content).decode("ascii"), "filename": upload.name,
            })
    status = 400 if request.method == "POST" and "rows" not in context else 200
    return render(request, "catalog/evaluation_import.html", context, status=status)


def _confirm_import(request: HttpRequest) -> HttpResponse:
    form = EvaluationConfirmForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            content = base64.b64decode(form.cleaned_data["content"], validate=True)
        except binascii.Error:
            filename = form.cleaned_data["filename"]
            errors = [RowError(FILE_ROW, "file", filename, "the preview was altered; upload the file again")]
        else:
            user = request.user if request.user.is_authenticated else None
            try:
                results = services.import_evaluation_file(content, form.cleaned_data["filename"], entered_by=user,
                                                          profiles=access.writable_profiles(request.user))
            except EvaluationFileError as error:
                errors = error.errors
            else:
                messages.success(request, ngettext("Imported %(count)d evaluation result.",
                                                   "Imported %(count)d evaluation results.", len(results))
                                 % {"count": len(results)})
                return redirect("catalog:profiles")
    if not errors:
        errors = [RowError(FILE_ROW, "file", "", "the confirmation lacks the previewed file; upload it again")]
    context = {"form": EvaluationUploadForm(), "errors": errors}
    return render(request, "catalog/evaluation_import.html", context, status=400)


@require_POST
def draft_scenario(request: HttpRequest, slug: str, version_slug: str) -> HttpResponse:
    """Create a draft Defend–Attack scenario from the profile's determination under one version."""
    profile = access.profile_for(request, slug, role=Role.VIEWER)
    if not profile.organisation.is_demo:
        access.check_role(request.user, profile.organisation, Role.ANALYST)
    determination = selectors.determine_for_profile(profile, selectors.get_version_or_404(version_slug))
    try:
        if profile.organisation.is_demo:
            organisation = access.chosen_organisation(request, role=Role.ANALYST)
        else:
            organisation = profile.organisation
        revision = create_draft_scenario(determination, author=request.user, organisation=organisation)
    except (access.OrganisationChoiceError, DraftScenarioError) as error:
        messages.error(request, str(error))
        return redirect(profile)
    messages.success(request, _("Created the draft scenario “%(title)s”; its numbers are placeholders to elicit.")
                     % {"title": revision.scenario.title})
    return redirect(revision.scenario)
