"""Reads of scenarios and their revisions."""

from django.db.models import Count, Max, QuerySet

from riskapp.engines.problem import Problem
from riskapp.scenarios.format import ScenarioDocument, compile_problem, parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.annotate(revision_count=Count("revisions"), latest_number=Max("revisions__number"))


def revision_document(revision: ScenarioRevision) -> ScenarioDocument:
    """Parse the stored document; it was validated when the revision was saved."""
    return parse_scenario(revision.document, syntax="json")


def revision_problem(revision: ScenarioRevision) -> Problem:
    return compile_problem(revision_document(revision))
