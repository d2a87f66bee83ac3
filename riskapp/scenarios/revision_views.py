"""Pages about a scenario's revisions: the diff of any two, restoring one, copying the scenario,
and the rejection of a save whose base revision is no longer the latest."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from riskapp.accounts import access
from riskapp.accounts.models import Role
from riskapp.scenarios import selectors
from riskapp.scenarios.format import ScenarioDocument, ScenarioFormatError
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_diff import ABSENT, ScenarioDiff, ValueChange, diff_scenarios, format_value
from riskapp.scenarios.revision_services import (
    StaleRevisionError,
    UnchangedRevisionError,
    UnknownRevisionError,
    copy_scenario,
    restore_revision,
    save_revision,
)

TITLE_MAX_LENGTH = Scenario._meta.get_field("title").max_length

KIND_NAMES = {"defense": _("defense"), "attack": _("attack"), "outcome": _("outcome")}
CHANGE_NAMES = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}
FIELD_NAMES = {
    "name": _("name"),
    "cost": _("cost"),
    "measures": _("catalog measures"),
    "attempt_probability": _("attempt probability"),
    "defender_loss": _("defender loss"),
    "attacker_gain": _("attacker gain"),
}
SETTING_NAMES = {
    ("model",): _("model"),
    ("game", "tie_break"): _("tie rule"),
    ("defender", "risk_aversion"): _("defender risk aversion"),
    ("attacker", "risk_aversion"): _("attacker risk aversion"),
    ("attacker", "belief_concentration"): _("attacker belief concentration κ"),
    ("risk_matrix", "likelihood"): _("likelihood bands"),
    ("risk_matrix", "consequence"): _("consequence bands"),
    ("risk_matrix", "levels"): _("risk levels"),
    ("risk_matrix", "grid"): _("risk grid"),
    ("risk_matrix", "criterion"): _("risk criterion"),
    ("title",): _("title"),
    ("description",): _("description"),
    ("sources",): _("sources"),
}


class BaseRevisionForm(forms.Form):
    base_revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput,
                                       error_messages={"required": _("The save names no base revision.")})


class CopyScenarioForm(forms.Form):
    """The copy's title, checked here so that each error names the field, the value and the rule."""

    title = forms.CharField(label=_("Title of the copy"), widget=forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH}),
                            error_messages={"required": _("Title: the copy needs a title.")})

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        shown_value = Truncator(title).chars(60)
        if len(title) > TITLE_MAX_LENGTH:
            raise forms.ValidationError(
                _("Title: “%(value)s” has %(length)d characters; the limit is %(limit)d."),
                code="max_length", params={"value": shown_value, "length": len(title), "limit": TITLE_MAX_LENGTH})
        # The scenario's address (its slug) is made of the title's ASCII letters and digits.
        if not slugify(title):
            raise forms.ValidationError(
                _("Title: “%(value)s” contains no letter or digit from A–Z and 0–9, from which the scenario's "
                  "address is made; add at least one."),
                code="no_slug", params={"value": shown_value})
        return title


@dataclass
class ValueRow:
    """One changed value, named for the page, with ``None`` on a side where the value is absent."""

    label: str
    path: str
    old: str | None
    new: str | None


@dataclass
class ProbabilityRow:
    defense: str
    attack: str
    outcome: str
    path: str
    old: str | None
    new: str | None


def _scenario(request: HttpRequest, slug: str, *, write: bool = False) -> Scenario:
    """Look up the scenario of every view in this module; ``write`` marks views that store something.

    Reading needs the viewer role in the scenario's organisation and writing the analyst role.
    """
    return access.scenario_for(request, slug, role=Role.ANALYST if write else Role.VIEWER)


def _revision(scenario: Scenario, number: int) -> ScenarioRevision:
    revision = scenario.revisions.filter(number=number).first()
    if revision is None:
        raise Http404(gettext("Revision %(number)d of this scenario does not exist.") % {"number": number})
    return revision


def unknown_revision_message(scenario: Scenario, number: int) -> str:
    """Say that ``number`` is not a revision of the scenario and which numbers are."""
    latest = scenario.revisions.aggregate(latest=Max("number"))["latest"]
    if latest is None:
        return gettext("Scenario “%(title)s” has no revision.") % {"title": scenario.title}
    return gettext("Scenario “%(title)s” has no revision %(number)d. Its revisions are 1 to %(latest)d.") % {
        "title": scenario.title, "number": number, "latest": latest}


@require_GET
def revision_diff(request: HttpRequest, slug: str) -> HttpResponse:
    """Show what changed from revision ``?from=N`` to ``?to=M``, by default from the previous to the latest."""
    scenario = _scenario(request, slug)
    revisions = scenario.revisions.order_by("number")
    try:
        from_number = _number_parameter(request, "from")
        to_number = _number_parameter(request, "to")
    except ValueError as error:
        return render(request, "scenarios/revision_diff.html", {"scenario": scenario, "error": str(error)},
                      status=400)

    for number in (from_number, to_number):
        if number is not None and not revisions.filter(number=number).exists():
            return render(request, "scenarios/revision_diff.html",
                          {"scenario": scenario, "error": unknown_revision_message(scenario, number)}, status=404)

    after = _revision(scenario, to_number) if to_number is not None else revisions.last()
    if after is None:
        raise Http404(gettext("This scenario has no revision."))
    if from_number is not None:
        before = _revision(scenario, from_number)
    else:
        before = revisions.filter(number__lt=after.number).order_by("-number").first()

    context: dict[str, Any] = {"scenario": scenario, "revisions": revisions, "before": before, "after": after}
    if before is not None:
        old, new = selectors.revision_document(before), selectors.revision_document(after)
        context["diff"] = diff_tables(diff_scenarios(old, new), old, new)
    return render(request, "scenarios/revision_diff.html", context)


@require_POST
def revision_restore(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Store revision ``number`` again as the scenario's next revision."""
    scenario = _scenario(request, slug, write=True)
    revision = _revision(scenario, number)
    form = BaseRevisionForm(request.POST)
    if not form.is_valid():
        return _invalid_base(request, scenario, form)
    try:
        restored = restore_revision(revision, base_revision=form.cleaned_data["base_revision"],
                                    author=_author(request))
    except StaleRevisionError as error:
        return stale_revision_response(request, error)
    except UnchangedRevisionError as error:
        messages.info(request, gettext("Revision %(number)d is identical to the latest revision %(latest)d, so "
                                       "nothing was restored.") % {"number": number, "latest": error.latest.number})
        return redirect(scenario)
    except UnknownRevisionError:
        return _unknown_base(request, scenario, form.cleaned_data["base_revision"])
    messages.success(request, gettext("Restored revision %(number)d as revision %(new)d.")
                     % {"number": number, "new": restored.number})
    return redirect(scenario)


@require_http_methods(["GET", "POST"])
def scenario_copy(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Start a new scenario from revision ``number`` of this one.

    Copying needs view access on the source and the analyst role in the organisation that the copy
    goes to, so members of any organisation can copy a demo scenario into their own.
    """
    scenario = _scenario(request, slug)
    revision = _revision(scenario, number)
    organisations = access.organisations_for(request.user, role=Role.ANALYST)
    initial_title = gettext("%(title)s (copy)") % {"title": scenario.title}
    form = CopyScenarioForm(request.POST or None, initial={"title": initial_title})
    errors: list = []
    organisation = None
    if request.method == "POST":
        try:
            organisation = access.chosen_organisation(request, role=Role.ANALYST)
        except access.OrganisationChoiceError as error:
            errors.append(str(error))
    if organisation is not None and form.is_valid():
        try:
            copied = copy_scenario(revision, title=form.cleaned_data["title"], author=_author(request),
                                   organisation=organisation)
        except ScenarioFormatError as error:
            errors = error.errors
        else:
            messages.success(request, gettext("Copied revision %(number)d of “%(source)s” as the new scenario "
                                              "“%(title)s”.") % {"number": number, "source": scenario.title,
                                                                 "title": copied.scenario.title})
            return redirect(copied.scenario)
    if organisation is None and organisations.filter(pk=scenario.organisation_id).exists():
        organisation = scenario.organisation
    status = 400 if request.method == "POST" else 200
    context = {"scenario": scenario, "revision": revision, "form": form, "errors": errors,
               "organisations": organisations, "organisation": organisation}
    return render(request, "scenarios/copy.html", context, status=status)


def save_uploaded_revision(request: HttpRequest, scenario: Scenario, document: ScenarioDocument,
                           comment: str) -> HttpResponse:
    """Store an uploaded file as the scenario's next revision if the page it came from showed the latest."""
    form = BaseRevisionForm(request.POST)
    if not form.is_valid():
        return _invalid_base(request, scenario, form)
    try:
        revision = save_revision(scenario, document, base_revision=form.cleaned_data["base_revision"],
                                 origin=ScenarioRevision.Origin.IMPORT, author=_author(request), comment=comment)
    except StaleRevisionError as error:
        return stale_revision_response(request, error)
    except UnchangedRevisionError as error:
        messages.info(request, gettext("The file is identical to revision %(number)d, so no new revision was "
                                       "stored.") % {"number": error.latest.number})
        return redirect(scenario)
    except UnknownRevisionError:
        return _unknown_base(request, scenario, form.cleaned_data["base_revision"])
    messages.success(request, gettext("Imported “%(title)s” as revision %(number)d.")
                     % {"title": revision.scenario.title, "number": revision.number})
    return redirect(scenario)


def stale_revision_response(request: HttpRequest, error: StaleRevisionError) -> HttpResponse:
    """Explain that nothing was stored and show what was saved since the base revision (409 Conflict)."""
    base, latest = error.base, error.latest
    old, new = selectors.revision_document(base), selectors.revision_document(latest)
    context = {
        "scenario": latest.scenario,
        "base": base,
        "latest": latest,
        "newer": latest.scenario.revisions.filter(number__gt=base.number).order_by("number"),
        "diff": diff_tables(error.changes, old, new),
    }
    return render(request, "scenarios/revision_conflict.html", context, status=409)


def diff_tables(diff: ScenarioDiff, old: ScenarioDocument, new: ScenarioDocument) -> dict[str, Any]:
    """Turn a diff into the rows of the page's tables, with names in place of ids where there are names."""
    names = _names(old, new)
    return {
        "is_empty": diff.is_empty,
        "same_problem": diff.same_problem,
        "entities": [{"kind": KIND_NAMES[entity.kind], "id": entity.id, "name": entity.name,
                      "change": CHANGE_NAMES[entity.change],
                      "fields": [str(FIELD_NAMES[field]) for field in entity.fields]} for entity in diff.entities],
        "order": [{"kind": KIND_NAMES[order.kind], "old": order.old, "new": order.new} for order in diff.order],
        "numbers": [_value_row(change, names) for change in diff.numbers],
        "probabilities": [_probability_row(change, names) for change in diff.probabilities],
        "settings": [_value_row(change, names) for change in diff.settings],
        "text": [_value_row(change, names) for change in diff.text],
    }


def _names(old: ScenarioDocument, new: ScenarioDocument) -> dict[tuple[str, str], str]:
    """Map (list key, id) to the entity's name in the newer document, or in the older one if removed."""
    names = {}
    for document in (old, new):
        for key in ("defenses", "attacks", "outcomes"):
            for item in document.data[key]:
                names[key, item["id"]] = item["name"]
    return names


def _value_row(change: ValueChange, names: dict[tuple[str, str], str]) -> ValueRow:
    return ValueRow(_label(change.path, names), change.dotted_path, _shown(change.path, change.old),
                    _shown(change.path, change.new))


def _probability_row(change: ValueChange, names: dict[tuple[str, str], str]) -> ProbabilityRow:
    _, defense, attack, outcome = change.path
    return ProbabilityRow(names["defenses", defense], names["attacks", attack], names["outcomes", outcome],
                          change.dotted_path, _shown(change.path, change.old), _shown(change.path, change.new))


def _label(path: tuple[str, ...], names: dict[tuple[str, str], str]) -> str:
    """Name a changed value in words, such as “defense ASL-3 security: cost”."""
    if path in SETTING_NAMES:
        return str(SETTING_NAMES[path])
    if path[0] in ("defenses", "attacks", "outcomes"):
        kind = KIND_NAMES[path[0][:-1]]
        return f"{kind} {names[path[0], path[1]]}: {FIELD_NAMES[path[2]]}"
    if path[:2] == ("attacker", "defense_beliefs"):
        return gettext("attacker's belief weight for defense %(defense)s") % {"defense": names["defenses", path[2]]}
    if path[:2] == ("risk_matrix", "ratings"):
        return gettext("direct rating of defense %(defense)s against attack %(attack)s") % {
            "defense": names["defenses", path[2]], "attack": names["attacks", path[3]]}
    return ".".join(path)


def _shown(path: tuple[str, ...], value: Any) -> str | None:
    """Write a value for the page: ``None`` when absent, a dash for null, a rating as its two band labels."""
    if value is ABSENT:
        return None
    if value is None:
        return "—"
    if path[:2] == ("risk_matrix", "ratings"):
        return gettext("likelihood %(likelihood)s, consequence %(consequence)s") % value
    return format_value(value)


def _number_parameter(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(gettext("%(name)s: “%(value)s” is not a revision number; give a whole number such as 1.")
                         % {"name": name, "value": value})
    return int(value)


def _invalid_base(request: HttpRequest, scenario: Scenario, form: BaseRevisionForm) -> HttpResponse:
    value = request.POST.get("base_revision", "")
    reasons = " ".join(form.errors["base_revision"])
    return _bad_request(request, scenario, gettext("base_revision: “%(value)s” was rejected: %(reasons)s Reload the "
                                                   "scenario page and save again.")
                        % {"value": value, "reasons": reasons})


def _unknown_base(request: HttpRequest, scenario: Scenario, number: int) -> HttpResponse:
    latest = scenario.revisions.count()
    return _bad_request(request, scenario, gettext("base_revision: %(value)d is not a revision of this scenario; its "
                                                   "revisions are 1 to %(latest)d. Reload the scenario page and save "
                                                   "again.") % {"value": number, "latest": latest})


def _bad_request(request: HttpRequest, scenario: Scenario, message: str) -> HttpResponse:
    return render(request, "scenarios/revision_error.html", {"scenario": scenario, "error": message}, status=400)


def _author(request: HttpRequest):
    return request.user if request.user.is_authenticated else None
