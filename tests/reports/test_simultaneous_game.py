"""The report's section on the simultaneous game: Nash equilibria with both mixed strategies."""

import json
from html import unescape

import pytest
from django.urls import reverse

from riskapp.assessments.services import AssessmentRequest, start_assessment
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario

pytestmark = pytest.mark.django_db

# (p(kept), p(stolen)) given defense and attack: each defense stops one attack, so no pure
# profile is an equilibrium.
PROBABILITIES = {"network": {"phishing": (0.8, 0.2), "insider": (0.4, 0.6)},
                 "screening": {"phishing": (0.2, 0.8), "insider": (0.9, 0.1)}}


def _scenario(model: str) -> dict:
    return {
        "format": "riskapp-scenario/1",
        "title": f"Weight theft, {model} model",
        "model": model,
        "defenses": [{"id": "network", "name": "Network monitoring", "cost": 0},
                     {"id": "screening", "name": "Staff screening", "cost": 0}],
        "attacks": [{"id": "phishing", "name": "Phishing of staff", "cost": 0},
                    {"id": "insider", "name": "Recruit an insider", "cost": 0}],
        "outcomes": [{"id": "kept", "name": "Weights kept", "defender_loss": 0, "attacker_gain": 0},
                     {"id": "stolen", "name": "Weights stolen", "defender_loss": 100, "attacker_gain": 100}],
        "probabilities": {
            defense: {attack: {"kept": kept, "stolen": stolen} for attack, (kept, stolen) in row.items()}
            for defense, row in PROBABILITIES.items()
        },
    }


def _report(client, model: str, view: str = "reports:comparison") -> str:
    document = parse_scenario(json.dumps(_scenario(model)), syntax="json")
    revision = services.import_scenario(document)
    assessment = start_assessment(revision, AssessmentRequest(engines=("game",)))
    response = client.get(reverse(view, args=[assessment.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def _section(page: str) -> str:
    start = page.index('id="simultaneous-game"')
    return page[start:page.index("</section>", start)]


def test_simultaneous_report_shows_equilibrium(client):
    section = _section(_report(client, "simultaneous"))

    # U_D = −100·p(stolen) and U_A = +100·p(stolen). The defender plays network monitoring with
    # x = 7/11, which makes the attacker indifferent: 20x + 80(1 − x) = 60x + 10(1 − x). The
    # attacker plays phishing with y = 5/11: −20y − 60(1 − y) = −80y − 10(1 − y). The defender's
    # value is −20·5/11 − 60·6/11 = −460/11.
    assert f"Network monitoring: {7 / 11:.4g}; Staff screening: {4 / 11:.4g}" in section
    assert f"Phishing of staff: {5 / 11:.4g}; Recruit an insider: {6 / 11:.4g}" in section
    assert f"{-460 / 11:.6g}" in section
    assert f"{460 / 11:.6g}" in section
    assert section.count('<th scope="row">') == 1
    assert f"every equilibrium gives the defender the same value: {-460 / 11:.6g}" in section
    assert "which lists every extreme equilibrium" in section


def test_simultaneous_warning_names_section(client):
    page = _report(client, "simultaneous")

    assert "listed under “Simultaneous game: Nash equilibria”" in page
    assert "nash_equilibria" not in page


def test_sequential_report_has_no_section(client):
    page = _report(client, "sequential")

    assert 'id="simultaneous-game"' not in page
    assert "Nash equilibria" not in page


def test_simultaneous_export_shows_equilibrium(client):
    section = _section(_report(client, "simultaneous", view="reports:export_html"))

    assert f"Network monitoring: {7 / 11:.4g}" in section
    assert f"{-460 / 11:.6g}" in section
