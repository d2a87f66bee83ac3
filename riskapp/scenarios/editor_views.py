"""The scenario editor: pages that build a new scenario or a new revision in the browser, and
the JSON endpoints behind them (validation, density previews, catalog measure search).

The page sends the whole scenario as ``riskapp-scenario/1`` JSON text with every number as
typed, and the import's parser judges it, so the editor accepts and rejects exactly what an
imported file would.
"""

import json
import logging
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from riskapp.accounts import access
from riskapp.accounts.models import Organisation, Role
from riskapp.catalog.models import Measure
from riskapp.scenarios import selectors, services
from riskapp.scenarios.editor import (
    MAX_PREVIEW_BYTES,
    OverwrittenField,
    empty_document_text,
    error_list,
    overwritten_fields,
    preview_attacker_number,
)
from riskapp.scenarios.editor_labels import EDITOR_LABELS
from riskapp.scenarios.format import (
    DEFAULT_RISK_MATRIX,
    FieldError,
    ScenarioDocument,
    ScenarioFormatError,
    parse_scenario,
)
from riskapp.scenarios.limits import configured_limits
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_services import (
    StaleRevisionError,
    UnchangedRevisionError,
    UnknownRevisionError,
    save_revision,
)
from riskapp.scenarios.revision_views import diff_tables

logger = logging.getLogger(__name__)

# Room in a save request for the comment, the CSRF token and the multipart framing, on top of
# the scenario document itself.
FORM_OVERHEAD_BYTES = 65_536

# Most catalog measures that one search returns.
MAX_MEASURE_RESULTS = 50

# Paths of the fields that contain attacker numbers. A preview request names its value by one of them.
ATTACKER_NUMBER_PATH = re.compile(
    r"(attacks\[\d{1,4}\]\.cost|outcomes\[\d{1,4}\]\.attacker_gain|attacker\.risk_aversion)\Z")


class EditorSaveForm(forms.Form):
    document = forms.CharField(strip=False, error_messages={"required": _("The save contains no scenario.")})
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)


@require_http_methods(["GET", "POST"])
def scenario_new(request: HttpRequest) -> HttpResponse:
    """Build a new scenario from an empty document and store it as revision 1 on save."""
    organisations = access.organisations_for(request.user, role=Role.ANALYST)
    if not organisations.exists():
        raise PermissionDenied(gettext("Creating a scenario needs the role “%(role)s” in an organisation.")
                               % {"role": Role.ANALYST.label})
    if request.method == "GET":
        return _render_editor(request, document_text=empty_document_text(), organisations=organisations)
    if _body_too_large(request):
        return _too_large_page(request)

    form = EditorSaveForm(request.POST)
    errors: list[dict[str, str]] = []
    organisation = None
    try:
        organisation = access.chosen_organisation(request, role=Role.ANALYST)
    except access.OrganisationChoiceError as error:
        errors.append({"path": "organisation", "message": str(error)})
    document = _valid_document(form, errors)
    if document is None or organisation is None:
        logger.info("Rejected a new scenario from the editor with %d errors", len(errors))
        return _render_editor(request, document_text=request.POST.get("document", ""), form=form, errors=errors,
                              organisations=organisations, organisation=organisation, status=400)

    revision = services.import_scenario(document, origin=ScenarioRevision.Origin.EDITOR, author=request.user,
                                        comment=form.cleaned_data["comment"], organisation=organisation)
    messages.success(request, gettext("Saved “%(title)s” as revision %(number)d.")
                     % {"title": revision.scenario.title, "number": revision.number})
    return _redirect_to_revision(revision)


@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the latest revision and store a new revision on save, unless another was saved meanwhile.

    A POST with ``reopen`` comes from the conflict page: it opens the editor on the latest
    revision with the analyst's own document, so that nothing typed is lost. The editor marks
    the fields where that document would undo a change of the revisions saved since its base.
    """
    scenario = access.scenario_for(request, slug, role=Role.ANALYST)
    latest = scenario.latest_revision
    if latest is None:
        return _render_error(request, scenario, gettext("This scenario has no revision to edit."), status=404)
    if request.method == "GET":
        return _render_editor(request, document_text=latest.document, scenario=scenario, base=latest.number)
    if _body_too_large(request):
        return _too_large_page(request)

    form = EditorSaveForm(request.POST)
    if "reopen" in request.POST:
        notice = gettext("This is your document from the editor, now based on revision %(number)d. Saving it "
                         "replaces the changes of the revisions saved meanwhile with your version, so compare "
                         "them first.") % {"number": latest.number}
        document_text = request.POST.get("document", "")
        return _render_editor(request, document_text=document_text, form=form, scenario=scenario,
                              base=latest.number, notice=notice,
                              overwritten=_overwritten_fields(scenario, latest, _base_revision(request), document_text))

    base = _base_revision(request)
    if base is None:
        return _render_error(request, scenario, gettext("base_revision: “%(value)s” is not a revision number; "
                                                        "reopen the editor and save again.")
                             % {"value": request.POST.get("base_revision", "")}, status=400)
    errors: list[dict[str, str]] = []
    document = _valid_document(form, errors)
    if document is None:
        logger.info("Rejected an editor save of scenario %s with %d errors", scenario.slug, len(errors))
        return _render_editor(request, document_text=request.POST.get("document", ""), form=form, errors=errors,
                              scenario=scenario, base=base, status=400)

    try:
        revision = save_revision(scenario, document, base_revision=base, origin=ScenarioRevision.Origin.EDITOR,
                                 author=request.user, comment=form.cleaned_data["comment"])
    except StaleRevisionError as error:
        return _conflict_page(request, error, request.POST["document"], form.cleaned_data["comment"])
    except UnchangedRevisionError as error:
        messages.info(request, gettext("The scenario is identical to revision %(number)d, so no new revision was "
                                       "stored.") % {"number": error.latest.number})
        return redirect(scenario)
    except UnknownRevisionError:
        return _render_error(request, scenario, gettext("base_revision: %(value)d is not a revision of this "
                                                        "scenario; reopen the editor and save again.")
                             % {"value": base}, status=400)
    messages.success(request, gettext("Saved “%(title)s” as revision %(number)d.")
                     % {"title": revision.scenario.title, "number": revision.number})
    return _redirect_to_revision(revision)


@require_POST
def editor_validate(request: HttpRequest) -> JsonResponse:
    """Run the import's checks on the JSON scenario text in the request body and return the errors."""
    _check_writer(request)
    limit = configured_limits().max_file_bytes
    size = _content_length(request)
    if size > limit:
        error = FieldError("", size, f"bytes is larger than the limit of {limit} bytes for a scenario file")
        return JsonResponse({"valid": False, "digest": None, "errors": error_list([error])}, status=413)

    try:
        document = parse_editor_document(request.body)
    except ScenarioFormatError as error:
        return JsonResponse({"valid": False, "digest": None, "errors": error_list(error.errors)})
    return JsonResponse({"valid": True, "digest": document.digest, "errors": []})


@require_POST
def editor_preview(request: HttpRequest) -> JsonResponse:
    """Return the density and mean of one attacker number, or the import's message when it is invalid.

    The body is JSON ``{"path": "attacks[1].cost", "value": "<the number's JSON text>"}``.
    """
    _check_writer(request)
    if _content_length(request) > MAX_PREVIEW_BYTES:
        return JsonResponse({"errors": [{"path": "", "message": gettext(
            "The preview request is larger than %(limit)d bytes.") % {"limit": MAX_PREVIEW_BYTES}}]}, status=413)
    try:
        body = json.loads(request.body)
        path, text = body["path"], body["value"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"errors": [{"path": "", "message": gettext(
            "The preview request must be JSON with the keys path and value.")}]}, status=400)
    if not isinstance(path, str) or not isinstance(text, str) or not _is_attacker_number_path(path):
        return JsonResponse({"errors": [{"path": "", "message": gettext(
            "path: the preview needs the path of an attack cost, an attacker gain or the attacker's risk "
            "aversion.")}]}, status=400)

    preview, errors = preview_attacker_number(path, text)
    if preview is None:
        return JsonResponse({"errors": error_list(errors)})
    return JsonResponse({"errors": [], "preview": preview.as_dict()})


@require_GET
def editor_measures(request: HttpRequest) -> JsonResponse:
    """Search catalog measures by name, code, safety level or framework for a defense's measure list."""
    _check_writer(request)
    query = request.GET.get("q", "").strip()[:100]
    measures = Measure.objects.select_related("level", "version__framework")
    for word in query.split():
        measures = measures.filter(Q(name__icontains=word) | Q(code__icontains=word) | Q(level__code__icontains=word)
                                   | Q(level__name__icontains=word) | Q(version__slug__icontains=word)
                                   | Q(version__framework__name__icontains=word)
                                   | Q(version__framework__publisher__icontains=word))
    results = [{"measure_id": measure.measure_id, "name": measure.name, "level": measure.level.code,
                "framework": f"{measure.version.framework.name} {measure.version.label}",
                "kind": measure.get_kind_display()} for measure in measures[:MAX_MEASURE_RESULTS]]
    return JsonResponse({"results": results})


def parse_editor_document(content: bytes | str) -> ScenarioDocument:
    """Parse the editor's JSON text as an imported file is parsed, catalog references included."""
    document = parse_scenario(content, syntax="json", limits=configured_limits())
    services.check_catalog_measures(document)
    return document


def _valid_document(form: EditorSaveForm, errors: list[dict[str, str]]) -> ScenarioDocument | None:
    """Return the form's parsed document, or None after adding every problem to ``errors``."""
    if not form.is_valid():
        for field, field_errors in form.errors.items():
            errors += [{"path": field, "message": f"{field}: {message}"} for message in field_errors]
        return None
    try:
        document = parse_editor_document(form.cleaned_data["document"])
    except ScenarioFormatError as error:
        errors += error_list(error.errors)
        return None
    return None if errors else document


def _render_editor(request: HttpRequest, *, document_text: str, form: EditorSaveForm | None = None,
                   errors: list[dict[str, str]] | None = None, scenario: Scenario | None = None,
                   base: int | None = None, organisations=None, organisation: Organisation | None = None,
                   notice: str = "", overwritten: list[OverwrittenField] | None = None,
                   status: int = 200) -> HttpResponse:
    limits = configured_limits()
    config = {
        "urls": {
            "validate": reverse("scenarios:editor_validate"),
            "preview": reverse("scenarios:editor_preview"),
            "measures": reverse("scenarios:editor_measures"),
        },
        "errors": errors or [],
        "defaultRiskMatrix": json.loads(json.dumps(DEFAULT_RISK_MATRIX, default=str)),
        "limits": {"defenses": limits.max_defenses, "attacks": limits.max_attacks, "outcomes": limits.max_outcomes,
                   "bytes": limits.max_file_bytes},
        "labels": {key: str(label) for key, label in EDITOR_LABELS.items()},
        "base": base,
        "overwritten": [field.as_dict() for field in overwritten or []],
    }
    if organisation is None and organisations is not None and len(organisations) == 1:
        organisation = organisations[0]
    context = {
        "scenario": scenario,
        "base": base,
        "document_text": document_text,
        "comment": form.data.get("comment", "") if form is not None else "",
        "config": config,
        "errors": errors or [],
        "organisations": organisations,
        "organisation": organisation,
        "notice": notice,
        "overwritten": overwritten or [],
    }
    return render(request, "scenarios/editor.html", context, status=status)


def _overwritten_fields(scenario: Scenario, latest: ScenarioRevision, base_number: int | None,
                        document_text: str) -> list[OverwrittenField]:
    """List the fields where the analyst's document undoes a change saved after ``base_number``, if both are known."""
    base = scenario.revisions.filter(number=base_number).first() if base_number else None
    if base is None or base.number >= latest.number:
        return []
    try:
        mine = parse_editor_document(document_text)
    except ScenarioFormatError as error:
        # The conflict page only offers documents that passed the checks, so this is a hand-made request.
        logger.warning("Reopened an invalid document on scenario %s, so no field is marked: %s", scenario.slug, error)
        return []
    return overwritten_fields(selectors.revision_document(base), selectors.revision_document(latest), mine)


def _conflict_page(request: HttpRequest, error: StaleRevisionError, document_text: str,
                   comment: str) -> HttpResponse:
    """Show what was saved since the base revision (409 Conflict) and offer to reopen the analyst's document."""
    base, latest = error.base, error.latest
    old, new = selectors.revision_document(base), selectors.revision_document(latest)
    context = {
        "scenario": latest.scenario,
        "base": base,
        "latest": latest,
        "newer": latest.scenario.revisions.filter(number__gt=base.number).order_by("number"),
        "diff": diff_tables(error.changes, old, new),
        "document_text": document_text,
        "comment": comment,
    }
    return render(request, "scenarios/editor_conflict.html", context, status=409)


def _render_error(request: HttpRequest, scenario: Scenario, message: str, *, status: int) -> HttpResponse:
    return render(request, "scenarios/revision_error.html", {"scenario": scenario, "error": message}, status=status)


def _too_large_page(request: HttpRequest) -> HttpResponse:
    limit = configured_limits().max_file_bytes
    logger.warning("Rejected an editor save of %d bytes, above the limit of %d", _content_length(request),
                   limit + FORM_OVERHEAD_BYTES)
    message = gettext("The save is %(size)d bytes, larger than the limit of %(limit)d bytes for a scenario and its "
                      "comment; nothing was stored.") % {"size": _content_length(request),
                                                         "limit": limit + FORM_OVERHEAD_BYTES}
    return render(request, "scenarios/editor_error.html", {"error": message}, status=413)


def _body_too_large(request: HttpRequest) -> bool:
    # NOTE: Django's DATA_UPLOAD_MAX_MEMORY_SIZE also caps the form fields of a save, and it
    # defaults to the scenario size limit. A document just under that limit is therefore
    # rejected by Django (400) before the parser can name the limit.
    return _content_length(request) > configured_limits().max_file_bytes + FORM_OVERHEAD_BYTES


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _base_revision(request: HttpRequest) -> int | None:
    value = request.POST.get("base_revision", "")
    return int(value) if value.isdigit() and 0 < len(value) < 10 else None


def _check_writer(request: HttpRequest) -> None:
    """Allow the JSON endpoints to analysts only: they help build scenarios, which viewers cannot store."""
    if not access.organisations_for(request.user, role=Role.ANALYST).exists():
        raise PermissionDenied(gettext("The scenario editor needs the role “%(role)s” in an organisation.")
                               % {"role": Role.ANALYST.label})


def _is_attacker_number_path(path: str) -> bool:
    return ATTACKER_NUMBER_PATH.match(path) is not None


def _redirect_to_revision(revision: ScenarioRevision) -> HttpResponse:
    return redirect(f"{revision.scenario.get_absolute_url()}?revision={revision.number}")


