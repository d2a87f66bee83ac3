"""The facilitator's pages: opening a workshop, the live dashboard, rounds, pooling and its application.

Every view needs the facilitator role in the scenario's organisation; other organisations' ids give 404.
"""

import json

import plotly
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from riskapp.accounts import access
from riskapp.accounts.models import Role
from riskapp.scenarios.format import ScenarioFormatError
from riskapp.scenarios.revision_services import StaleRevisionError, UnchangedRevisionError
from riskapp.scenarios.selectors import revision_document
from riskapp.workshops import dashboard, selectors, services
from riskapp.workshops.forms import ApplyPoolingForm, PoolingForm, WorkshopForm
from riskapp.workshops.models import Pooling, Round


@require_GET
def workshop_list(request: HttpRequest) -> HttpResponse:
    workshops = selectors.workshops_for(request.user, role=Role.FACILITATOR)
    return render(request, "workshops/list.html", {"workshops": workshops})


@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = access.revision_for(request, revision_id, role=Role.FACILITATOR)
    choices = selectors.question_choices(revision_document(revision))
    initial = {"title": _("Workshop on %(title)s") % {"title": revision.scenario.title}}
    form = WorkshopForm(request.POST if request.method == "POST" else None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.open_workshop(revision, title=form.cleaned_data["title"],
                                              instructions=form.cleaned_data["instructions"],
                                              questions=form.cleaned_data["questions"], user=request.user)
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Opened the workshop. Participants join with the code %(code)s.")
                             % {"code": workshop.code})
            return redirect(workshop)
    groups = _grouped_choices(form, choices)
    status = 400 if request.method == "POST" else 200
    return render(request, "workshops/create.html", {"form": form, "revision": revision, "groups": groups},
                  status=status)


def _grouped_choices(form: WorkshopForm, choices) -> list[tuple[str, list]]:
    """Group the question checkboxes by kind for the page, keeping document order within each group."""
    by_key = {widget.data["value"]: widget for widget in form["questions"]}
    groups: dict[str, list] = {}
    for choice in choices:
        groups.setdefault(choice.kind, []).append(by_key[choice.key])
    labels = {"matrix_cell": _("Risk-matrix cells"), "probability": _("Probabilities"),
              "interval": _("Four-step intervals (lowest, highest, best guess, confidence)")}
    return [(labels[kind], widgets) for kind, widgets in groups.items()]


@require_GET
def workshop_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    rounds = list(workshop.rounds.order_by("number"))
    context = {
        "workshop": workshop,
        "scenario": workshop.revision.scenario,
        "questions": workshop.questions.order_by("position"),
        "rounds": rounds,
        "current": rounds[-1] if rounds else None,
        "poolings": Pooling.objects.filter(round__workshop=workshop).select_related("round", "revision"),
        "join_url": request.build_absolute_uri(reverse("workshops:join_code", args=[workshop.code])),
        "data": dashboard.facilitator_data(workshop),
        "plotly_version": plotly.__version__,
    }
    return render(request, "workshops/dashboard.html", context)


@require_GET
def workshop_data(request: HttpRequest, pk: int) -> JsonResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    return JsonResponse(dashboard.facilitator_data(workshop))


@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    try:
        round_ = services.open_round(workshop, user=request.user)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Round %(number)d is open.") % {"number": round_.number})
    return redirect(workshop)


@require_POST
def round_close(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _advance(request, pk, number, services.close_round, _("Round %(number)d is closed."))


@require_POST
def round_reveal(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _advance(request, pk, number, services.reveal_round,
                    _("Round %(number)d is revealed: participants now see the anonymised spread."))


def _advance(request: HttpRequest, pk: int, number: int, action, success: str) -> HttpResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    round_ = _round(workshop, number)
    try:
        action(round_, user=request.user)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success % {"number": number})
    return redirect(workshop)


def _round(workshop, number: int) -> Round:
    round_ = workshop.rounds.filter(number=number).first()
    if round_ is None:
        raise Http404(_("No such round."))
    return round_


@require_http_methods(["GET", "POST"])
def round_pool(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    round_ = _round(workshop, number)
    participants = list(workshop.participants.filter(judgements__round=round_).distinct().order_by("number"))
    form = PoolingForm(request.POST if request.method == "POST" else None, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            pooling_row = services.pool_round(round_, method=form.cleaned_data["method"], weights=form.weights(),
                                              user=request.user)
        except services.WorkshopError as error:
            form.add_error(None, str(error))
        else:
            return redirect(pooling_row)
    status = 400 if request.method == "POST" else 200
    return render(request, "workshops/pool.html", {"workshop": workshop, "round": round_, "form": form},
                  status=status)


@require_GET
def pooling_detail(request: HttpRequest, pk: int, pooling_id: int) -> HttpResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    pooling_row = _pooling(workshop, pooling_id)
    return _render_pooling(request, workshop, pooling_row)


def _render_pooling(request, workshop, pooling_row: Pooling, *, status: int = 200) -> HttpResponse:
    latest = workshop.revision.scenario.latest_revision
    # Applying replaces the latest revision's values, so the preview compares with those, not
    # with the values of the revision the workshop asked about.
    compared = workshop.revision if pooling_row.revision_id else latest
    latest_values = selectors.target_values(revision_document(compared))
    context = {
        "workshop": workshop,
        "pooling": pooling_row,
        "rows": [_pooled_row(entry, latest_values) for entry in pooling_row.values],
        "weights": [(label, _display(weight)) for label, weight in pooling_row.weights.items()],
        "latest": latest,
        "compared": compared,
        "apply_form": ApplyPoolingForm(initial={"base_revision": latest.number}),
        "provenance": services.provenance_text(pooling_row),
    }
    return render(request, "workshops/pooling.html", context, status=status)


def _pooled_row(entry: dict, latest_values: dict) -> dict:
    """Return one pooled question as the preview shows it, numbers to 6 significant digits."""
    result = entry["result"]
    key = (entry["target"], entry["defense_id"], entry["attack_id"], entry["outcome_id"])
    if key not in latest_values:
        current = _("absent")
    elif latest_values[key] is None and entry["kind"] == "matrix_cell":
        current = _("rated from the scenario")
    else:
        current = _display(latest_values[key])
    row = {"entry": entry, "current": current, "pooled": "", "detail": "", "notes": []}
    if result is None:
        return row
    if entry["kind"] == "matrix_cell":
        row["pooled"] = f"{result['likelihood']} / {result['consequence']}"
        row["notes"] = services.matrix_cell_notes(result)
    elif entry["kind"] == "probability":
        row["pooled"] = _display(result["value"])
    else:
        quantiles = result["quantiles"]
        row["pooled"] = _("mean %(mean)s, median %(median)s") % {"mean": _display(result["mean"]),
                                                                 "median": _display(result["median"])}
        row["detail"] = _("5%% to 95%%: %(low)s to %(high)s") % {"low": _display(quantiles["0.05"]),
                                                                 "high": _display(quantiles["0.95"])}
    return row


def _display(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        if set(value) == {"likelihood", "consequence"}:
            return f"{value['likelihood']} / {value['consequence']}"
        return json.dumps(value, separators=(", ", ": "))
    if isinstance(value, (int, float)):
        return f"{value:.6g}"
    return str(value)


def _pooling(workshop, pooling_id: int) -> Pooling:
    pooling_row = (Pooling.objects.select_related("round__workshop", "revision", "assessment")
                   .filter(pk=pooling_id, round__workshop=workshop).first())
    if pooling_row is None:
        raise Http404(_("No such pooling."))
    return pooling_row


@require_POST
def pooling_apply(request: HttpRequest, pk: int, pooling_id: int) -> HttpResponse:
    workshop = selectors.workshop_for(request, pk, role=Role.FACILITATOR)
    pooling_row = _pooling(workshop, pooling_id)
    form = ApplyPoolingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("base_revision: missing or not a revision number; reload the preview."))
        return _render_pooling(request, workshop, pooling_row, status=400)
    try:
        applied = services.apply_pooling(pooling_row, base_revision=form.cleaned_data["base_revision"],
                                         user=request.user)
    except StaleRevisionError as error:
        messages.error(request, _("Revision %(latest)d was saved after the revision %(base)d that this preview "
                                  "applies to, so nothing was stored. Review the preview and apply again.")
                       % {"latest": error.latest.number, "base": error.base.number})
    except UnchangedRevisionError:
        messages.error(request, _("The pooled values equal the latest revision, so no new revision was stored."))
    except ScenarioFormatError as error:
        for problem in error.errors:
            messages.error(request, str(problem))
    except services.WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Stored revision %(number)d with the pooled values and started its "
                                    "assessment.") % {"number": applied.revision.number})
        return redirect(applied.assessment)
    return _render_pooling(request, workshop, _pooling(workshop, pooling_id), status=409)
