"""The page listing the threat ratings whose risk level changes between two revisions of a scenario."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from riskapp.accounts import access
from riskapp.accounts.models import Role
from riskapp.engines.problem import Problem
from riskapp.engines.risk_matrix import RatedCell, RatingChange, rating_changes
from riskapp.scenarios import selectors
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_views import unknown_revision_message

CHANGE_KIND_NAMES = {
    "level_changed": _("level changed"),
    "newly_rated": _("newly rated"),
    "no_longer_rated": _("no longer rated"),
    "band_missing": _("band label missing: not placed in any cell"),
    "above_scale": _("consequence above the highest band: rated in that band"),
}


# The scenario page compares the ratings of at most this many pairs of consecutive revisions
# with different digests, newest first, because each comparison compiles two problems.
MAX_RATING_COMPARISONS = 10


@dataclass
class ChangeRow:
    """One changed rating, named for the page.

    ``sides`` contains the before and after ratings as ``RatedCell.to_dict()`` gives them, with
    ``None`` for a side where the pair is unrated.
    """

    defense: str
    attack: str
    kind: str
    kind_name: str
    sides: tuple[dict[str, Any] | None, dict[str, Any] | None]


@require_GET
def matrix_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """Compare the risk ratings of revisions ``?from=N`` and ``?to=M``; by default the latest two."""
    scenario = access.scenario_for(request, slug, role=Role.VIEWER)
    revisions = scenario.revisions.order_by("number")
    try:
        from_number = _revision_number(request, "from")
        to_number = _revision_number(request, "to")
    except ValueError as error:
        return _bad_request(request, scenario, str(error))

    for number in (from_number, to_number):
        if number is not None and not revisions.filter(number=number).exists():
            context = {"scenario": scenario, "error": unknown_revision_message(scenario, number)}
            page = render_to_string("scenarios/matrix_changes.html", context, request)
            return HttpResponseNotFound(page)

    after = _revision(revisions, to_number) if to_number is not None else revisions.last()
    if from_number is not None:
        before = _revision(revisions, from_number)
    else:
        before = revisions.filter(number__lt=after.number).order_by("-number").first()

    context = {"scenario": scenario, "revisions": revisions, "before": before, "after": after}
    if before is not None:
        old, new = selectors.revision_problem(before), selectors.revision_problem(after)
        result = rating_changes(old, new)
        context.update(
            rows=[_row(change, new) for change in result.changes],
            compared_pairs=result.compared_pairs,
            unmatched_pairs=result.unmatched_pairs,
            same_matrix=_without_ratings(old) == _without_ratings(new),
        )
    return render(request, "scenarios/matrix_changes.html", context)


def rating_change_states(revisions: list[ScenarioRevision]) -> dict[int, str]:
    """Map each revision number but the first to whether the risk ratings changed from the previous revision.

    The state is "changed" or "unchanged" as the matrix change page would report it, or "unknown"
    for older pairs beyond ``MAX_RATING_COMPARISONS``. An equal digest means an equal problem, so
    such a pair is "unchanged" without compiling anything.
    """
    ordered = sorted(revisions, key=lambda revision: revision.number, reverse=True)
    problems: dict[int, Problem] = {}
    states: dict[int, str] = {}
    compared = 0
    for after, before in zip(ordered, ordered[1:], strict=False):
        if after.digest == before.digest:
            states[after.number] = "unchanged"
        elif compared >= MAX_RATING_COMPARISONS:
            states[after.number] = "unknown"
        else:
            compared += 1
            old = _problem(before, problems)
            new = _problem(after, problems)
            states[after.number] = "changed" if rating_changes(old, new).changes else "unchanged"
    return states


def _problem(revision: ScenarioRevision, problems: dict[int, Problem]) -> Problem:
    if revision.number not in problems:
        problems[revision.number] = selectors.revision_problem(revision)
    return problems[revision.number]


def _revision_number(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValueError(gettext("%(name)s: %(value)r is not a revision number; give a whole number such as 1.")
                         % {"name": name, "value": value})
    return int(value)


def _revision(revisions: QuerySet[ScenarioRevision], number: int) -> ScenarioRevision:
    return get_object_or_404(revisions, number=number)


def _bad_request(request: HttpRequest, scenario: Scenario, message: str) -> HttpResponse:
    page = render_to_string("scenarios/matrix_changes.html", {"scenario": scenario, "error": message}, request)
    return HttpResponseBadRequest(page)


def _without_ratings(problem: Problem) -> tuple:
    """Return the parts of the matrix other than its direct ratings, to tell a matrix edit from a number edit."""
    matrix = problem.risk_matrix
    return matrix.likelihood, matrix.consequence, matrix.levels, matrix.grid, matrix.criterion, matrix.power


def _row(change: RatingChange, problem: Problem) -> ChangeRow:
    defenses = dict(zip(problem.defense_ids, problem.defense_names, strict=True))
    attacks = dict(zip(problem.attack_ids, problem.attack_names, strict=True))
    return ChangeRow(
        defense=defenses.get(change.defense, change.defense),
        attack=attacks.get(change.attack, change.attack),
        kind=change.kind,
        kind_name=CHANGE_KIND_NAMES.get(change.kind, change.kind),
        sides=(_side(change.before), _side(change.after)),
    )


def _side(cell: RatedCell | None) -> dict[str, Any] | None:
    return None if cell is None else cell.to_dict()
