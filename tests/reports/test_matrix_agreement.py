"""The agreement section lists the defenses that the risk matrix ranks opposite to the game solver or ARA."""

import html

import pytest
from django.urls import reverse

from riskapp.reports.selectors import build_comparison

pytestmark = pytest.mark.django_db

# Level counts of the shared risk-matrix result: "pause" has no rated threat, "asl3" two High
# threats and "asl2" two Extreme ones, so the matrix ranks pause › asl3 › asl2.
LEVEL_COUNTS = {
    "asl2": {"Low": 0, "High": 0, "Extreme": 2},
    "asl3": {"Low": 0, "High": 2, "Extreme": 0},
    "pause": {"Low": 0, "High": 0, "Extreme": 0},
}


@pytest.fixture
def counted(assessment):
    run = assessment.runs.get(engine="risk_matrix")
    run.result = {**run.result, "level_counts": LEVEL_COUNTS}
    run.save()
    return assessment


def test_disagreements_name_pause_and_asl3(counted):
    rows = build_comparison(counted).matrix_disagreements

    # Game: ψ(asl3) = −7.5 against ψ(pause) = −9. ARA: −8.125 against −9.0625, a gap of 0.9375
    # above 2·√(0.25² + 0.0625²) ≈ 0.515. Neither engine prefers asl2 to anything.
    assert [(row.engine, row.matrix_preferred, row.engine_preferred) for row in rows] == [
        ("game", "Pause deployment", "ASL-3 security"), ("ara", "Pause deployment", "ASL-3 security")]
    assert rows[0].utility_gap == pytest.approx(1.5, abs=1e-12)
    assert rows[1].utility_gap == pytest.approx(0.9375, abs=1e-12)
    for row in rows:
        assert row.reasons == [
            "The matrix ignores cost except as a tie-breaker: Pause deployment costs 9 and ASL-3 security costs 4."]


def test_agreement_section_lists_disagreements(client, counted):
    page = html.unescape(client.get(reverse("reports:comparison", args=[counted.pk])).content.decode())

    section = page[page.index('id="matrix-disagreements"'):]
    assert ("Game-theoretic solver prefers ASL-3 security to Pause deployment (expected defender utility higher "
            "by 1.5), but the risk matrix ranks Pause deployment higher.") in section
    assert "Pause deployment costs 9 and ASL-3 security costs 4." in section


def test_agreement_polling_summary_lists_them(client, counted):
    data = client.get(reverse("reports:comparison_data", args=[counted.pk])).json()

    assert 'id="matrix-disagreements"' in data["summary_html"]


def test_disagreements_none_when_engines_agree(assessment):
    run = assessment.runs.get(engine="risk_matrix")
    counts = {**LEVEL_COUNTS, "pause": {"Low": 0, "High": 3, "Extreme": 0}}
    run.result = {**run.result, "level_counts": counts, "defense_ranking": ["asl3", "pause", "asl2"]}
    run.save()

    assert build_comparison(assessment).matrix_disagreements == []


def test_disagreements_none_without_matrix_result(assessment):
    assessment.runs.filter(engine="risk_matrix").delete()

    assert build_comparison(assessment).matrix_disagreements == []
