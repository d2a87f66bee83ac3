"""A small three-outcome scenario, a facilitator, and a workshop on it with one question of each kind."""

import json

import pytest

from riskapp.accounts.models import Membership, Organisation, Role
from riskapp.scenarios import services as scenario_services
from riskapp.scenarios.format import parse_scenario
from riskapp.workshops import services

SCENARIO = {
    "format": "riskapp-scenario/1",
    "title": "Weight exfiltration",
    "defenses": [{"id": "basic", "name": "Basic security", "cost": 1},
                 {"id": "hardened", "name": "Hardened security", "cost": 4}],
    "attacks": [{"id": "none", "name": "No attack", "cost": 0},
                {"id": "insider", "name": "Recruit an insider", "cost": 2, "attempt_probability": 0.05}],
    "outcomes": [{"id": "kept", "name": "Weights kept", "defender_loss": 0, "attacker_gain": 0},
                 {"id": "leaked", "name": "Weights leaked", "defender_loss": 40, "attacker_gain": 30},
                 {"id": "stolen", "name": "Weights stolen", "defender_loss": 100, "attacker_gain": 80}],
    "probabilities": {
        "basic": {"none": {"kept": 1, "leaked": 0, "stolen": 0},
                  "insider": {"kept": 0.5, "leaked": 0.3, "stolen": 0.2}},
        "hardened": {"none": {"kept": 1, "leaked": 0, "stolen": 0},
                     "insider": {"kept": 0.9, "leaked": 0.06, "stolen": 0.04}},
    },
}

# One question of each kind and target that the tests pool by hand.
QUESTION_KEYS = [
    "matrix_cell:rating:basic/insider",
    "probability:outcome_probability:basic/insider/stolen",
    "probability:attempt_probability:insider",
    "interval:defender_loss:stolen",
    "interval:attacker_gain:stolen",
]


def store_scenario(organisation, data=None):
    document = parse_scenario(json.dumps(data or SCENARIO), syntax="json")
    return scenario_services.import_scenario(document, organisation=organisation)


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(name="Lab", slug="lab")


@pytest.fixture
def facilitator(organisation, django_user_model):
    user = django_user_model.objects.create_user("facilitator", password="facilitator-password")
    Membership.objects.create(user=user, organisation=organisation, role=Role.FACILITATOR)
    return user


@pytest.fixture
def revision(organisation):
    return store_scenario(organisation)


@pytest.fixture
def workshop(revision, facilitator):
    return services.open_workshop(revision, title="Insider threat panel", questions=QUESTION_KEYS,
                                  user=facilitator)


@pytest.fixture
def questions(workshop):
    """The workshop's questions by the short names the tests use."""
    by_key = {question.key: question for question in workshop.questions.all()}
    return {
        "cell": by_key[QUESTION_KEYS[0]],
        "row": by_key[QUESTION_KEYS[1]],
        "attempt": by_key[QUESTION_KEYS[2]],
        "loss": by_key[QUESTION_KEYS[3]],
        "gain": by_key[QUESTION_KEYS[4]],
    }
