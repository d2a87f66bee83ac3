"""Two organisations with the same kinds of objects, and one member per role in the first."""

from dataclasses import dataclass

import pytest

from riskapp.accounts.models import Membership, Organisation, Role
from riskapp.assessments import sensitivity
from riskapp.assessments.services import AssessmentRequest, start_assessment
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from tests.workers import PROJECT

EXAMPLE = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"

ROLE_NAMES = {"viewer": Role.VIEWER, "analyst": Role.ANALYST, "facilitator": Role.FACILITATOR, "admin": Role.ADMIN}


@dataclass
class Holdings:
    """One organisation's scenario and the objects made from it."""

    organisation: Organisation
    scenario_slug: str
    revision_id: int
    assessment_id: int
    run_id: int
    analysis_id: int


def make_holdings(name: str) -> Holdings:
    organisation = Organisation.objects.create(name=name, slug=name.lower())
    document = parse_scenario(EXAMPLE.read_bytes(), syntax="json")
    revision = services.import_scenario(document, organisation=organisation)
    # The in-process engines only, so that no Celery message is needed.
    assessment = start_assessment(revision, AssessmentRequest(engines=("risk_matrix", "game")))
    analysis = sensitivity.start_sensitivity(assessment, samples=100)
    return Holdings(
        organisation=organisation,
        scenario_slug=revision.scenario.slug,
        revision_id=revision.pk,
        assessment_id=assessment.pk,
        run_id=assessment.runs.order_by("pk").first().pk,
        analysis_id=analysis.pk,
    )


@pytest.fixture
def own(db) -> Holdings:
    return make_holdings("Own")


@pytest.fixture
def other(db) -> Holdings:
    return make_holdings("Other")


@pytest.fixture
def user_with_role(django_user_model, own):
    """Create a user holding ``role`` (a key of ROLE_NAMES) in the ``own`` organisation."""

    def create(role: str):
        user = django_user_model.objects.create_user(role, password=f"{role}-password")
        Membership.objects.create(user=user, organisation=own.organisation, role=ROLE_NAMES[role])
        return user

    return create
