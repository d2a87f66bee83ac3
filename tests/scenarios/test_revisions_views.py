"""Revision pages: the diff of two revisions, restore, copy, and uploads on an outdated base."""

import copy
import html
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "weight_theft.json").read_text())


def edited(**changes):
    """The example with ASL-3's cost or the stolen outcome's loss replaced."""
    data = copy.deepcopy(EXAMPLE)
    if "asl3_cost" in changes:
        data["defenses"][1]["cost"] = changes["asl3_cost"]
    if "loss" in changes:
        data["outcomes"][1]["defender_loss"] = changes["loss"]
    return data


def store(data, scenario=None):
    return services.import_scenario(parse_scenario(json.dumps(data), syntax="json"), scenario=scenario)


def text(page):
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


def table(page, table_id):
    """The rows of one table as lists of cell texts."""
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [[text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)] for row in rows[1:]]


@pytest.fixture
def scenario():
    """Three revisions: the example, then ASL-3 at a cost of 4.5, then also a loss of 150."""
    first = store(EXAMPLE)
    store(edited(asl3_cost=4.5), first.scenario)
    store(edited(asl3_cost=4.5, loss=150), first.scenario)
    return first.scenario


def upload(data, name="theft.json"):
    return SimpleUploadedFile(name, json.dumps(data).encode(), content_type="application/json")


def test_diff_default_previous_latest(client, scenario):
    response = client.get(reverse("scenarios:diff", args=[scenario.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "From revision 2" in text(page)
    assert "to revision 3" in text(page)
    assert table(page, "diff-numbers") == [["outcome Weights stolen: defender loss", "outcomes.stolen.defender_loss",
                                            "100", "150"]]
    assert table(page, "diff-entities") == [["outcome", "stolen", "Weights stolen", "changed: defender loss"]]
    assert 'id="diff-probabilities"' not in page


def test_diff_chosen_revisions_exact_digits(client, scenario):
    response = client.get(reverse("scenarios:diff", args=[scenario.slug]), {"from": 3, "to": 1})

    page = response.content.decode()
    assert response.status_code == 200
    assert table(page, "diff-numbers") == [
        ["defense ASL-3 security: cost", "defenses.asl3.cost", "4.5", "4.0"],
        ["outcome Weights stolen: defender loss", "outcomes.stolen.defender_loss", "150", "100"],
    ]


def test_diff_probabilities_and_settings(client):
    first = store(EXAMPLE)
    data = copy.deepcopy(EXAMPLE)
    data["probabilities"]["asl3"]["insider"] = {"kept": 0.9, "stolen": 0.1}
    data["game"]["tie_break"] = "for_defender"
    data["risk_matrix"]["ratings"] = {}
    store(data, first.scenario)

    page = client.get(reverse("scenarios:diff", args=[first.scenario.slug])).content.decode()

    assert table(page, "diff-probabilities") == [
        ["ASL-3 security", "Recruit an insider", "Weights kept", "probabilities.asl3.insider.kept", "0.95", "0.9"],
        ["ASL-3 security", "Recruit an insider", "Weights stolen", "probabilities.asl3.insider.stolen", "0.05", "0.1"],
    ]
    assert table(page, "diff-settings") == [
        ["tie rule", "game.tie_break", "against_defender", "for_defender"],
        ["direct rating of defense ASL-2 security against attack Recruit an insider",
         "risk_matrix.ratings.asl2.insider", "likelihood Possible, consequence Major", "absent"],
    ]


def test_diff_single_revision_message(client):
    first = store(EXAMPLE)
    response = client.get(reverse("scenarios:diff", args=[first.scenario.slug]))
    assert response.status_code == 200
    assert 'id="single-revision"' in response.content.decode()


def test_diff_bad_number_400(client, scenario):
    response = client.get(reverse("scenarios:diff", args=[scenario.slug]), {"from": "two"})
    assert response.status_code == 400
    assert "from: “two” is not a revision number" in html.unescape(response.content.decode())


def test_diff_unknown_revision_404(client, scenario):
    response = client.get(reverse("scenarios:diff", args=[scenario.slug]), {"from": 9})
    assert response.status_code == 404


@pytest.mark.parametrize("parameters", [{"to": 99}, {"from": 1, "to": 99}, {"from": 99, "to": 2}])
def test_diff_unknown_revision_names_range(client, scenario, parameters):
    response = client.get(reverse("scenarios:diff", args=[scenario.slug]), parameters)

    assert response.status_code == 404
    assert response.templates[0].name == "scenarios/revision_diff.html"
    assert (f"Scenario “{EXAMPLE['title']}” has no revision 99. Its revisions are 1 to 3."
            in html.unescape(response.content.decode()))


def test_detail_links_diff_restore_copy(client, scenario):
    page = client.get(scenario.get_absolute_url()).content.decode()

    diff_url = reverse("scenarios:diff", args=[scenario.slug])
    assert f"{diff_url}?from=2&amp;to=3" in page
    assert f"{diff_url}?from=1&amp;to=2" in page
    assert f"{diff_url}?from=0" not in page
    for number in (1, 2):
        assert reverse("scenarios:restore", args=[scenario.slug, number]) in page
    assert reverse("scenarios:restore", args=[scenario.slug, 3]) not in page
    assert reverse("scenarios:copy", args=[scenario.slug, 3]) in page
    # The upload form and every restore form carry the latest revision as their base.
    assert page.count('name="base_revision" value="3"') == 3


def test_restore_post_stores_revision(client, scenario):
    response = client.post(reverse("scenarios:restore", args=[scenario.slug, 1]), {"base_revision": 3})

    assert response.status_code == 302
    restored = scenario.revisions.get(number=4)
    assert restored.origin == ScenarioRevision.Origin.RESTORE
    assert restored.comment == "Restored from revision 1"
    assert restored.document == scenario.revisions.get(number=1).document
    page = client.get(response["Location"]).content.decode()
    assert "Restored revision 1 as revision 4." in page


def test_restore_get_not_allowed(client, scenario):
    response = client.get(reverse("scenarios:restore", args=[scenario.slug, 1]))
    assert response.status_code == 405
    assert scenario.revisions.count() == 3


def test_restore_stale_base_409_diff(client, scenario):
    response = client.post(reverse("scenarios:restore", args=[scenario.slug, 1]), {"base_revision": 2})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing was stored. Your change was based on revision 2" in text(page)
    assert "the latest is now revision 3" in text(page)
    assert table(page, "diff-numbers") == [["outcome Weights stolen: defender loss", "outcomes.stolen.defender_loss",
                                            "100", "150"]]
    assert [row[0] for row in table(page, "newer-revisions")] == ["3"]
    assert scenario.revisions.count() == 3


def test_restore_missing_base_400(client, scenario):
    response = client.post(reverse("scenarios:restore", args=[scenario.slug, 1]))
    assert response.status_code == 400
    assert "The save names no base revision." in html.unescape(response.content.decode())
    assert scenario.revisions.count() == 3


def test_restore_future_base_400(client, scenario):
    response = client.post(reverse("scenarios:restore", args=[scenario.slug, 1]), {"base_revision": 8})
    assert response.status_code == 400
    assert "base_revision: 8 is not a revision of this scenario" in response.content.decode()
    assert scenario.revisions.count() == 3


def test_restore_unknown_revision_404(client, scenario):
    response = client.post(reverse("scenarios:restore", args=[scenario.slug, 7]), {"base_revision": 3})
    assert response.status_code == 404


def test_restore_identical_latest_message(client):
    first = store(EXAMPLE)
    second = store(edited(asl3_cost=5), first.scenario)
    store(EXAMPLE, first.scenario)

    response = client.post(reverse("scenarios:restore", args=[first.scenario.slug, 1]), {"base_revision": 3},
                           follow=True)

    assert "Revision 1 is identical to the latest revision 3" in response.content.decode()
    assert first.scenario.revisions.count() == 3
    assert second.number == 2


def test_upload_on_latest_base_stored(client, scenario):
    response = client.post(reverse("scenarios:import_revision", args=[scenario.slug]),
                           {"file": upload(edited(asl3_cost=3)), "comment": "cheaper", "base_revision": 3})

    assert response.status_code == 302
    revision = scenario.revisions.get(number=4)
    assert revision.comment == "cheaper"
    assert revision.origin == ScenarioRevision.Origin.IMPORT
    assert json.loads(revision.document)["defenses"][1]["cost"] == 3


def test_upload_stale_base_409_diff(client, scenario):
    response = client.post(reverse("scenarios:import_revision", args=[scenario.slug]),
                           {"file": upload(edited(asl3_cost=3)), "base_revision": 1})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Your change was based on revision 1" in text(page)
    # Everything saved after revision 1: revision 2 changed the cost, revision 3 the loss.
    assert table(page, "diff-numbers") == [
        ["defense ASL-3 security: cost", "defenses.asl3.cost", "4.0", "4.5"],
        ["outcome Weights stolen: defender loss", "outcomes.stolen.defender_loss", "100", "150"],
    ]
    assert [row[0] for row in table(page, "newer-revisions")] == ["2", "3"]
    assert scenario.revisions.count() == 3


def test_upload_missing_base_400(client, scenario):
    response = client.post(reverse("scenarios:import_revision", args=[scenario.slug]),
                           {"file": upload(edited(asl3_cost=3))})
    assert response.status_code == 400
    assert "base_revision" in response.content.decode()
    assert scenario.revisions.count() == 3


def test_import_page_keeps_base(client, scenario):
    # A file with an error sends the user to the import page, whose form must keep the base.
    bad = edited(asl3_cost=-1)
    response = client.post(reverse("scenarios:import_revision", args=[scenario.slug]),
                           {"file": upload(bad), "base_revision": 2})

    assert response.status_code == 400
    assert '<input type="hidden" name="base_revision" value="2">' in response.content.decode()


def test_new_scenario_upload_needs_no_base(client):
    response = client.post(reverse("scenarios:import"), {"file": upload(EXAMPLE)})
    assert response.status_code == 302
    assert ScenarioRevision.objects.get().number == 1


def test_copy_page_prefills_title(client, scenario):
    response = client.get(reverse("scenarios:copy", args=[scenario.slug, 2]))
    assert response.status_code == 200
    assert f'value="{html.escape(EXAMPLE["title"])} (copy)"' in response.content.decode()


def test_copy_post_creates_scenario(client, scenario):
    response = client.post(reverse("scenarios:copy", args=[scenario.slug, 2]), {"title": "Theft, second look"})

    assert response.status_code == 302
    copied = Scenario.objects.get(slug="theft-second-look")
    assert response["Location"] == copied.get_absolute_url()
    revision = copied.revisions.get()
    assert revision.number == 1
    assert revision.origin == ScenarioRevision.Origin.COPY
    assert revision.comment == f"Copied from “{EXAMPLE['title']}” ({scenario.slug}) revision 2"
    assert revision.digest == scenario.revisions.get(number=2).digest
    assert scenario.revisions.count() == 3


def test_copy_blank_title_400(client, scenario):
    response = client.post(reverse("scenarios:copy", args=[scenario.slug, 2]), {"title": "  "})
    assert response.status_code == 400
    assert Scenario.objects.count() == 1


def test_restore_form_csrf_token(client, scenario):
    client.handler.enforce_csrf_checks = True
    url = reverse("scenarios:restore", args=[scenario.slug, 1])

    rejected = client.post(url, {"base_revision": 3})
    page = client.get(scenario.get_absolute_url()).content.decode()
    form = re.search(rf'<form method="post" action="{re.escape(url)}".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    accepted = client.post(url, {"base_revision": 3, "csrfmiddlewaretoken": token})

    assert rejected.status_code == 403
    assert accepted.status_code == 302
    assert scenario.revisions.count() == 4
