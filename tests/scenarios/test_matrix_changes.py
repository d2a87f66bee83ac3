"""The page listing the ratings whose risk level changes between two revisions of a scenario."""

import copy
import html
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "weight_theft.json").read_text())
# Every rating is derived once the example's direct rating is dropped.
EXAMPLE["risk_matrix"].pop("ratings")

# In the example, by hand: asl2/insider has likelihood 0.05 · 0.3 = 0.015 (Unlikely) and consequence
# 100 (Major), cell Medium; asl3/insider has 0.05 · 0.05 = 0.0025 (Rare) and 100 (Major), also Medium.


def store(document, scenario=None):
    return services.import_scenario(parse_scenario(json.dumps(document), syntax="json"), scenario=scenario)


def with_major_edge(upper):
    """The example with the Major band ending at ``upper``; a loss of 100 then lies in Severe."""
    document = copy.deepcopy(EXAMPLE)
    for band in document["risk_matrix"]["consequence"]:
        if band["label"] == "Major":
            band["upper"] = upper
    return document


def rows(page):
    return re.findall(r'<tr class="change-(\w+)">(.*?)</tr>', page, re.S)


def text(fragment):
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(fragment)).split())


@pytest.fixture
def scenario():
    first = store(EXAMPLE)
    # Severe cells: grid[1][3] = High for asl2 (Unlikely), grid[0][3] = Medium for asl3 (Rare).
    store(with_major_edge(50), scenario=first.scenario)
    return first.scenario


def test_matrix_changes_latest_two_default(client, scenario):
    response = client.get(reverse("scenarios:matrix_changes", args=[scenario.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    found = rows(page)
    assert [kind for kind, _ in found] == ["level_changed"]
    cells = text(found[0][1])
    assert cells.startswith("ASL-2 security Recruit an insider level changed")
    assert "Unlikely, Major → Medium" in cells
    assert "Unlikely, Severe → High" in cells
    assert "likelihood 0.015, consequence 100" in cells
    assert "From revision 1 to revision 2, 1 of 4 (defense, attack) ratings changes." in text(page)
    assert 'id="same-matrix"' not in page


def test_matrix_changes_explicit_reverse(client, scenario):
    url = reverse("scenarios:matrix_changes", args=[scenario.slug])

    page = client.get(url, {"from": 2, "to": 1}).content.decode()

    found = rows(page)
    assert len(found) == 1
    cells = text(found[0][1])
    assert cells.index("Unlikely, Severe → High") < cells.index("Unlikely, Major → Medium")
    assert "From revision 2 to revision 1" in text(page)


def test_matrix_changes_same_matrix_noted(client, scenario):
    document = with_major_edge(50)
    # Attempt probability 0.5: asl2 moves to likelihood 0.15, cell (Possible, Severe), still High;
    # asl3 moves to 0.025, cell (Unlikely, Severe), from Medium to High.
    for attack in document["attacks"]:
        if attack["id"] == "insider":
            attack["attempt_probability"] = 0.5
    store(document, scenario=scenario)
    url = reverse("scenarios:matrix_changes", args=[scenario.slug])

    page = client.get(url, {"from": 2, "to": 3}).content.decode()

    found = rows(page)
    assert [kind for kind, _ in found] == ["level_changed"]
    assert text(found[0][1]).startswith("ASL-3 security Recruit an insider")
    assert "Rare, Severe → Medium" in text(found[0][1])
    assert "Unlikely, Severe → High" in text(found[0][1])
    assert 'id="same-matrix"' in page


def test_matrix_changes_bad_number_400(client, scenario):
    response = client.get(reverse("scenarios:matrix_changes", args=[scenario.slug]), {"from": "two"})

    assert response.status_code == 400
    assert "from: &#x27;two&#x27; is not a revision number" in response.content.decode()


def test_matrix_changes_unknown_revision_404(client, scenario):
    response = client.get(reverse("scenarios:matrix_changes", args=[scenario.slug]), {"from": 7})

    assert response.status_code == 404


def test_matrix_changes_unknown_revision_names_range(client, scenario):
    response = client.get(reverse("scenarios:matrix_changes", args=[scenario.slug]), {"from": 1, "to": 99})

    assert response.status_code == 404
    assert (f"Scenario “{EXAMPLE['title']}” has no revision 99. Its revisions are 1 to 2."
            in html.unescape(response.content.decode()))


def test_detail_links_only_changed_ratings(client, scenario):
    # Revision 3 changes only the title, revision 4 only a defense's cost, which no rating uses.
    retitled = with_major_edge(50)
    retitled["title"] = "Retitled"
    store(retitled, scenario=scenario)
    recosted = copy.deepcopy(retitled)
    recosted["defenses"][1]["cost"] = 4.5
    store(recosted, scenario=scenario)

    page = client.get(scenario.get_absolute_url()).content.decode()

    url = reverse("scenarios:matrix_changes", args=[scenario.slug])
    links = re.findall(r'<a href="([^"]+)" class="rating-changes">([^<]+)</a>', page)
    assert links == [(f"{url}?from=1&amp;to=2", "risk ratings changed")]
    cost_page = client.get(url, {"from": 3, "to": 4}).content.decode()
    assert rows(cost_page) == []


def test_detail_neutral_link_beyond_limit(client, scenario, monkeypatch):
    from riskapp.scenarios import matrix_views

    monkeypatch.setattr(matrix_views, "MAX_RATING_COMPARISONS", 1)
    store(EXAMPLE, scenario=scenario)

    page = client.get(scenario.get_absolute_url()).content.decode()

    url = reverse("scenarios:matrix_changes", args=[scenario.slug])
    links = re.findall(r'<a href="([^"]+)" class="rating-changes">([^<]+)</a>', page)
    assert links == [(f"{url}?from=2&amp;to=3", "risk ratings changed"),
                     (f"{url}?from=1&amp;to=2", "compare risk ratings")]


def test_matrix_changes_single_revision(client):
    revision = store(EXAMPLE)

    page = client.get(reverse("scenarios:matrix_changes", args=[revision.scenario.slug])).content.decode()

    assert 'id="single-revision"' in page
    assert rows(page) == []
