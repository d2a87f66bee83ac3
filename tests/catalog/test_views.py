import pytest
from django.urls import reverse

from riskapp.catalog.models import EvaluationResult, Framework

pytestmark = pytest.mark.django_db

RSP = "anthropic-rsp-1.0"


def test_index_lists_frameworks(client):
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Responsible Scaling Policy" in content
    assert "Securing AI Model Weights" in content
    assert reverse("catalog:version", args=[RSP]) in content
    assert "2023-09-19" in content


def test_version_page_shows_levels(client):
    response = client.get(reverse("catalog:version", args=[RSP]))
    assert response.status_code == 200
    content = response.content.decode()
    positions = [content.index(f">{code}</a>") for code in ("ASL-1", "ASL-2", "ASL-3", "ASL-4", "ASL-5+")]
    assert positions == sorted(positions)
    assert "Weight security against non-state attackers" in content
    assert "Rapid response to jailbreaks" in content
    assert "Containment measures added at this level" in content
    assert "Deployment measures added at this level" in content
    assert "autonomous replication and adaptation" in content
    assert 'href="https://www.anthropic.com/news/anthropics-responsible-scaling-policy"' in content


def test_version_page_cumulative_counts(client):
    response = client.get(reverse("catalog:version", args=[RSP]))
    content = response.content.decode()
    # ASL-2 adds 3 containment and 6 deployment measures; ASL-3 adds 4 and 6 and replaces 2.
    assert "ASL-2 requires 9 measures in total" in content
    assert "ASL-3 requires 17 measures in total" in content
    assert "ASL-1 requires 0 measures in total" in content


def test_level_page_shows_requirements(client):
    response = client.get(reverse("catalog:level", args=[RSP, "asl-3"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Expert red-teaming of every deployment modality" in content
    assert "Model cards" in content  # inherited from ASL-2
    assert "Replaces the lower-level measure" in content
    assert f"{RSP}:asl3-containment-weight-security" in content
    assert "Security against opportunistic attackers</strong>" not in content.split("Everything this level requires")[1]


def test_level_page_plus_code(client):
    response = client.get(reverse("catalog:level", args=[RSP, "asl-5-plus"]))
    assert response.status_code == 200
    assert "ASL-5+" in response.content.decode()


def test_rand_page_shows_tiers(client):
    response = client.get(reverse("catalog:version", args=["rand-securing-model-weights-2024"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cybercrime syndicates and insider threats" in content
    assert "reported by a secondary source" in content
    assert "no exact date" in content


@pytest.mark.parametrize("url", [
    "/catalog/anthropic-rsp-9.9/",
    "/catalog/anthropic-rsp-1.0/asl-9/",
    "/catalog/rand-securing-model-weights-2024/asl-3/",
])
def test_unknown_page_not_found(client, url):
    assert client.get(url).status_code == 404


def test_post_not_allowed(client):
    assert client.post(reverse("catalog:index")).status_code == 405


def test_index_without_frameworks(client):
    EvaluationResult.objects.all().delete()  # results protect the version they were recorded against
    Framework.objects.all().delete()
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 200
    assert "No framework has been loaded yet" in response.content.decode()
