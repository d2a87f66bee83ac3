"""Scenario pages: list, detail, import through the browser and export downloads."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import ScenarioRevision

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parent / "data" / "weight_theft.json"


@pytest.fixture
def revision():
    return services.import_scenario(parse_scenario(EXAMPLE.read_bytes(), syntax="json"))


def test_list_shows_scenarios(client, revision):
    response = client.get(reverse("scenarios:list"))
    assert response.status_code == 200
    assert revision.scenario.title in response.content.decode()


def test_detail_shows_problem_tables(client, revision):
    response = client.get(revision.scenario.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    for item in parse_scenario(revision.document, syntax="json").data["defenses"]:
        assert item["name"] in page
    assert reverse("assessments:start", args=[revision.pk]) in page


def test_detail_shows_defaults_of_absent_values(client):
    data = json.loads(EXAMPLE.read_text())
    data.pop("attacker", None)
    data["attacks"][0].pop("cost", None)
    revision = services.import_scenario(parse_scenario(json.dumps(data), syntax="json"))

    page = client.get(revision.scenario.get_absolute_url()).content.decode()

    assert "Attacker risk aversion: 0</li>" in page
    assert "Attacker belief concentration κ: —</li>" in page
    assert f'<td>{data["attacks"][0]["name"]}</td><td>0</td>' in page


def test_detail_unknown_slug_404(client):
    assert client.get(reverse("scenarios:detail", args=["nothing-here"])).status_code == 404


def test_upload_valid_file_creates_revision(client):
    upload = SimpleUploadedFile("theft.json", EXAMPLE.read_bytes(), content_type="application/json")
    response = client.post(reverse("scenarios:import"), {"file": upload, "comment": "from the browser"})
    assert response.status_code == 302
    revision = ScenarioRevision.objects.get()
    assert revision.comment == "from the browser"
    assert response["Location"] == revision.scenario.get_absolute_url()


def test_upload_invalid_file_lists_errors(client):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["outcomes"][1]["defender_loss"] = -5
    upload = SimpleUploadedFile("bad.json", json.dumps(data).encode(), content_type="application/json")

    response = client.post(reverse("scenarios:import"), {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "outcomes[1].defender_loss" in page
    assert "-5" in page
    assert not ScenarioRevision.objects.exists()


def test_upload_wrong_extension_rejected(client):
    upload = SimpleUploadedFile("theft.txt", EXAMPLE.read_bytes(), content_type="text/plain")
    response = client.post(reverse("scenarios:import"), {"file": upload})
    assert response.status_code == 400
    assert not ScenarioRevision.objects.exists()


@pytest.mark.parametrize(("syntax", "content_type"), [("json", "application/json"), ("yaml", "application/yaml")])
def test_export_download_round_trips(client, revision, syntax, content_type):
    url = reverse("scenarios:export", args=[revision.scenario.slug, 1, syntax])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert f'filename="{revision.scenario.slug}-r1.{syntax}"' in response["Content-Disposition"]
    again = parse_scenario(response.content, syntax=syntax)
    assert again.digest == revision.digest


def test_export_unknown_revision_404(client, revision):
    assert client.get(reverse("scenarios:export", args=[revision.scenario.slug, 9, "json"])).status_code == 404
    assert client.get(reverse("scenarios:export", args=[revision.scenario.slug, 1, "xml"])).status_code == 404


def test_upload_identical_revision_stores_nothing(client, revision):
    upload = SimpleUploadedFile("same.json", EXAMPLE.read_bytes(), content_type="application/json")
    response = client.post(reverse("scenarios:import_revision", args=[revision.scenario.slug]), {"file": upload},
                           follow=True)
    assert "identical to revision 1" in response.content.decode()
    assert revision.scenario.revisions.count() == 1


def test_revision_links_to_matrix_changes(client, revision):
    from riskapp.scenarios.format import parse_scenario as parse

    document = parse(EXAMPLE.read_bytes(), syntax="json")
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["title"] = "Second revision"
    second = parse(json.dumps(data), syntax="json")
    assert second.digest == document.digest
    services.import_scenario(second, scenario=revision.scenario)

    data["risk_matrix"].pop("ratings")
    services.import_scenario(parse(json.dumps(data), syntax="json"), scenario=revision.scenario)

    page = client.get(revision.scenario.get_absolute_url()).content.decode()

    # Revision 2 changes only the title, so no rating can change. Revision 3 drops the direct rating
    # of asl2/insider (Possible, Major: High), whose derived rating is Unlikely, Major: Medium.
    url = reverse("scenarios:matrix_changes", args=[revision.scenario.slug])
    assert f"{url}?from=1&amp;to=2" not in page
    assert f"{url}?from=2&amp;to=3" in page
    assert client.get(f"{url}?from=1&to=2").status_code == 200
