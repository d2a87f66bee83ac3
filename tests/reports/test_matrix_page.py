"""The comparison page's risk-matrix section: orientation control, ranking rule, coherence report."""

import json
import re

import pytest
from django.urls import reverse

from riskapp.reports.selectors import ORIENTATION_SESSION_KEY

pytestmark = pytest.mark.django_db

COHERENCE = [
    {"check": "structure", "status": "pass", "cells": [], "message": "The matrix can rank threats on both axes."},
    {"check": "betweenness", "status": "fail", "cells": [[0, 1], [1, 2]],
     "message": "Cell (Rare, Major) touches cell (Possible, Catastrophic) with no intermediate level."},
]


def figure_data(page: str, key: str) -> dict:
    match = re.search(rf'<script id="figure-{key}-data" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def heatmap_shape(figure: dict) -> tuple[int, int]:
    heatmap = figure["data"][0]
    return len(heatmap["z"]), len(heatmap["z"][0])


def test_orientation_query_stored_in_session(client, assessment):
    url = reverse("reports:comparison", args=[assessment.pk])

    response = client.get(url, {"likelihood_on": "columns", "reverse_likelihood": "1"})

    assert response.status_code == 200
    assert client.session[ORIENTATION_SESSION_KEY] == {
        "likelihood_on": "columns", "reverse_likelihood": True, "reverse_consequence": False}
    figure = figure_data(response.content.decode(), "risk_matrix")
    assert figure["layout"]["xaxis"]["ticktext"] == ["Likely", "Possible", "Rare"]
    assert figure["layout"]["yaxis"]["ticktext"] == ["Minor", "Major", "Catastrophic"]


def test_orientation_remembered_without_query(client, assessment):
    url = reverse("reports:comparison", args=[assessment.pk])
    client.get(url, {"likelihood_on": "columns", "reverse_consequence": "on"})

    page = client.get(url).content.decode()

    figure = figure_data(page, "risk_matrix")
    assert figure["layout"]["xaxis"]["ticktext"] == ["Rare", "Possible", "Likely"]
    assert figure["layout"]["yaxis"]["ticktext"] == ["Catastrophic", "Major", "Minor"]
    assert '<option value="columns" selected>' in page
    assert re.search(r'name="reverse_consequence" value="1" checked', page)
    assert not re.search(r'name="reverse_likelihood" value="1" checked', page)


def test_orientation_polling_uses_session(client, assessment):
    client.get(reverse("reports:comparison", args=[assessment.pk]), {"likelihood_on": "columns"})

    data = client.get(reverse("reports:comparison_data", args=[assessment.pk])).json()

    assert data["figures"]["risk_matrix"]["layout"]["xaxis"]["ticktext"] == ["Rare", "Possible", "Likely"]


def test_orientation_unknown_value_ignored(client, assessment):
    url = reverse("reports:comparison", args=[assessment.pk])

    response = client.get(url, {"likelihood_on": "diagonal"})

    assert response.status_code == 200
    assert ORIENTATION_SESSION_KEY not in client.session
    figure = figure_data(response.content.decode(), "risk_matrix")
    assert figure["layout"]["xaxis"]["ticktext"] == ["Minor", "Major", "Catastrophic"]


def test_matrix_section_ranking_rule(client, assessment):
    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()

    assert ("ranks defenses by the number of their rated threats at each level from the highest down, then by "
            "lower cost, then by file order") in page


def test_coherence_table_lists_findings(client, assessment):
    run = assessment.runs.get(engine="risk_matrix")
    run.result = {**run.result, "coherence": COHERENCE}
    run.save()

    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()

    table = page[page.index('id="coherence-table"'):page.index("</table>", page.index('id="coherence-table"'))]
    rows = re.findall(r'<tr class="finding-(\w+)">(.*?)</tr>', table, re.S)
    assert [status for status, _ in rows] == ["pass", "fail"]
    assert "Structure" in rows[0][1]
    assert "—" in rows[0][1]
    assert "Betweenness" in rows[1][1]
    assert "(Rare, Major), (Possible, Catastrophic)" in rows[1][1]
    assert "with no intermediate level" in rows[1][1]


def test_coherence_placeholder_without_result(client, assessment):
    run = assessment.runs.get(engine="risk_matrix")
    run.result = {**run.result, "coherence": []}
    run.save()

    page = client.get(reverse("reports:comparison", args=[assessment.pk])).content.decode()

    assert 'id="coherence-table"' not in page
    assert "The coherence checks appear with the risk matrix's result." in page
