"""Model profiles and their evaluation results belong to an organisation.

The demo organisation's profiles are public. Another organisation's profile, whose results may
concern an unreleased model, is visible only to its members, and only its analysts may add
results to it or draft a scenario from it.
"""

import base64
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from riskapp.accounts.models import AuditEvent, Membership, Organisation, Role
from riskapp.catalog.models import Benchmark, EvaluationResult, ModelProfile
from riskapp.scenarios.models import Scenario

pytestmark = pytest.mark.django_db

CARD = "https://example.org/private-evaluation.pdf"
HEADER = "model,benchmark,score,unit,date,source_url\n"
ROW = f"frontier-x,cybench,0.5,fraction,2026-11-02,{CARD}\n"
PUBLIC = "claude-opus-4"


@pytest.fixture
def lab() -> Organisation:
    return Organisation.objects.create(name="Frontier Lab", slug="frontier-lab")


@pytest.fixture
def private_profile(lab) -> ModelProfile:
    """A profile of an unreleased model, owned by the lab, with one confidential result.

    It also repeats the public profile's results, under which Responsible Scaling Policy 2.2 requires
    safeguards, so that a scenario can be drafted from it.
    """
    profile = ModelProfile.objects.create(slug="frontier-x", name="Frontier X", developer="Frontier Lab",
                                          source_url=CARD, organisation=lab)
    for result in EvaluationResult.objects.filter(profile__slug=PUBLIC):
        result.pk = None
        result.profile = profile
        result.save()
    EvaluationResult.objects.create(profile=profile, benchmark=Benchmark.objects.get(slug="cybench"), score=0.25,
                                    evaluated_on=datetime.date(2026, 10, 1), source_url=CARD, note="confidential")
    return profile


@pytest.fixture
def member_of(django_user_model):
    """Create a user with the given role in each given organisation."""

    def create(name: str, *roles: tuple[Organisation, int]):
        user = django_user_model.objects.create_user(name)
        for organisation, role in roles:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return create


@pytest.fixture
def other() -> Organisation:
    return Organisation.objects.create(name="Other", slug="other")


def test_builtin_profile_in_demo():
    profile = ModelProfile.objects.select_related("organisation").get(slug=PUBLIC)

    assert profile.organisation.slug == "demo"
    assert profile.organisation.is_demo


def test_profile_list_per_organisation(anonymous_client, private_profile, lab, other, member_of):
    lab_viewer = member_of("lab-viewer", (lab, Role.VIEWER))
    outsider = member_of("outsider", (other, Role.ANALYST))
    url = reverse("catalog:profiles")

    anonymous_page = anonymous_client.get(url).content.decode()
    anonymous_client.force_login(outsider)
    outsider_page = anonymous_client.get(url).content.decode()
    anonymous_client.force_login(lab_viewer)
    member_page = anonymous_client.get(url).content.decode()

    public_url = reverse("catalog:profile", args=[PUBLIC])
    private_url = reverse("catalog:profile", args=["frontier-x"])
    assert public_url in anonymous_page
    assert private_url not in anonymous_page
    assert public_url in outsider_page
    assert private_url not in outsider_page
    assert public_url in member_page
    assert private_url in member_page


def test_private_profile_detail_members_only(anonymous_client, private_profile, lab, other, member_of):
    url = reverse("catalog:profile", args=["frontier-x"])

    assert anonymous_client.get(url).status_code == 404
    anonymous_client.force_login(member_of("outsider", (other, Role.ADMIN)))
    assert anonymous_client.get(url).status_code == 404
    anonymous_client.force_login(member_of("lab-viewer", (lab, Role.VIEWER)))
    response = anonymous_client.get(url)
    assert response.status_code == 200
    assert "confidential" in response.content.decode()
    assert 'id="profile-organisation"' in response.content.decode()


def test_public_profile_detail_anonymous(anonymous_client):
    response = anonymous_client.get(reverse("catalog:profile", args=[PUBLIC]))

    assert response.status_code == 200
    assert 'id="profile-organisation"' not in response.content.decode()


def _confirm(client, content: bytes):
    return client.post(reverse("catalog:evaluation_import"), {
        "confirm": "1", "content": base64.b64encode(content).decode(), "filename": "results.csv",
    })


def test_import_by_lab_analyst_stored(anonymous_client, private_profile, lab, member_of):
    analyst = member_of("lab-analyst", (lab, Role.ANALYST))
    anonymous_client.force_login(analyst)
    content = (HEADER + ROW).encode()

    preview = anonymous_client.post(reverse("catalog:evaluation_import"),
                                    {"file": SimpleUploadedFile("results.csv", content)})
    response = _confirm(anonymous_client, content)

    assert preview.status_code == 200
    assert response.status_code == 302
    assert private_profile.results.filter(evaluated_on=datetime.date(2026, 11, 2)).get().entered_by == analyst
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.organisation == lab
    assert event.actor == analyst
    assert event.summary == "Imported 1 evaluation result of “Frontier X” (frontier-x) from results.csv"


@pytest.mark.parametrize("lab_role", [None, Role.VIEWER])
def test_import_outside_lab_rejected(anonymous_client, private_profile, lab, other, member_of, lab_role):
    """An analyst elsewhere gets the same error whether or not they can see the profile."""
    roles = [(other, Role.ANALYST)] + ([(lab, lab_role)] if lab_role else [])
    anonymous_client.force_login(member_of("outsider", *roles))
    content = (HEADER + ROW).encode()

    preview = anonymous_client.post(reverse("catalog:evaluation_import"),
                                    {"file": SimpleUploadedFile("results.csv", content)})
    response = _confirm(anonymous_client, content)

    for page in (preview, response):
        assert page.status_code == 400
        text = page.content.decode()
        assert "not the slug of a model profile that you may add results to" in text
        assert "frontier-x" in text
    assert not private_profile.results.filter(evaluated_on=datetime.date(2026, 11, 2)).exists()


def test_draft_from_private_profile_stays_in_lab(anonymous_client, private_profile, lab, other, member_of):
    anonymous_client.force_login(member_of("lab-analyst", (lab, Role.ANALYST), (other, Role.ANALYST)))
    url = reverse("catalog:draft_scenario", args=["frontier-x", "anthropic-rsp-2.2"])

    page = anonymous_client.get(reverse("catalog:profile", args=["frontier-x"])).content.decode()
    response = anonymous_client.post(url, {"organisation": "other"})

    assert f'action="{url}"' in page
    assert '<option value="other">' not in page
    assert response.status_code == 302
    assert Scenario.objects.get().organisation == lab


@pytest.mark.parametrize(("name", "expected"), [("outsider", 404), ("lab-viewer", 403)])
def test_draft_from_private_profile_rejected(anonymous_client, private_profile, lab, other, member_of, name,
                                             expected):
    roles = {"outsider": [(other, Role.ANALYST)], "lab-viewer": [(lab, Role.VIEWER), (other, Role.ANALYST)]}
    anonymous_client.force_login(member_of(name, *roles[name]))

    response = anonymous_client.post(reverse("catalog:draft_scenario", args=["frontier-x", "anthropic-rsp-2.2"]),
                                     {"organisation": "other"})

    assert response.status_code == expected
    assert not Scenario.objects.exists()


def test_draft_from_public_profile_any_organisation(anonymous_client, other, member_of):
    anonymous_client.force_login(member_of("analyst", (other, Role.ANALYST)))

    response = anonymous_client.post(reverse("catalog:draft_scenario", args=[PUBLIC, "anthropic-rsp-2.2"]))

    assert response.status_code == 302
    assert Scenario.objects.get().organisation == other
