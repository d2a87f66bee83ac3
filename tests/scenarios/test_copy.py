"""Copying a scenario: view access on the source, the analyst role where the copy goes, and the title's checks."""

import html
import json
from pathlib import Path

import pytest
from django.urls import reverse

from riskapp.accounts.models import AuditEvent, Membership, Organisation, Role
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import Scenario

pytestmark = pytest.mark.django_db

EXAMPLE = (Path(__file__).resolve().parent / "data" / "weight_theft.json").read_bytes()
TITLE = json.loads(EXAMPLE)["title"]


@pytest.fixture
def lab() -> Organisation:
    return Organisation.objects.create(name="Lab", slug="lab")


@pytest.fixture
def institute() -> Organisation:
    return Organisation.objects.create(name="Institute", slug="institute")


@pytest.fixture
def demo_scenario() -> Scenario:
    """A scenario of the demo organisation, which every signed-in user may read."""
    return services.import_scenario(parse_scenario(EXAMPLE, syntax="json"), is_demo=True).scenario


@pytest.fixture
def sign_in(anonymous_client, django_user_model):
    """Sign in a new user with the given roles, as (organisation, role) pairs."""

    def create(name: str, *roles: tuple[Organisation, int]):
        user = django_user_model.objects.create_user(name)
        for organisation, role in roles:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        anonymous_client.force_login(user)
        return user

    return create


def copy_url(scenario: Scenario, number: int = 1) -> str:
    return reverse("scenarios:copy", args=[scenario.slug, number])


def errors(response) -> list[str]:
    page = html.unescape(response.content.decode())
    return [line.strip() for line in page.replace("<li>", "\n").replace("</li>", "\n").splitlines()
            if line.strip().startswith(("Title:", "organisation:"))]


def test_demo_copy_into_own_organisation(anonymous_client, sign_in, demo_scenario, lab):
    analyst = sign_in("lab-analyst", (lab, Role.ANALYST))

    page = anonymous_client.get(reverse("scenarios:detail", args=[demo_scenario.slug])).content.decode()
    response = anonymous_client.post(copy_url(demo_scenario), {"title": "Theft at the lab"})

    assert f'action="{copy_url(demo_scenario)}" id="copy-scenario"' in page
    assert response.status_code == 302
    copied = Scenario.objects.get(slug="theft-at-the-lab")
    assert copied.organisation == lab
    assert copied.revisions.get().author == analyst
    assert demo_scenario.revisions.count() == 1
    event = AuditEvent.objects.get(action="create", organisation=lab)
    assert event.actor == analyst


def test_copy_page_names_single_organisation(anonymous_client, sign_in, demo_scenario, lab):
    sign_in("lab-analyst", (lab, Role.ANALYST))

    response = anonymous_client.get(copy_url(demo_scenario))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The copy will belong to Lab." in page
    assert 'name="organisation"' not in page


def test_copy_picker_for_several_organisations(anonymous_client, sign_in, demo_scenario, lab, institute):
    sign_in("two-hats", (lab, Role.ANALYST), (institute, Role.ADMIN))

    page = anonymous_client.get(copy_url(demo_scenario)).content.decode()
    missing = anonymous_client.post(copy_url(demo_scenario), {"title": "Theft"})
    chosen = anonymous_client.post(copy_url(demo_scenario), {"title": "Theft", "organisation": "institute"})

    assert '<option value="institute">Institute</option>' in page
    assert '<option value="lab">Lab</option>' in page
    assert missing.status_code == 400
    assert errors(missing) == ["organisation: choose the organisation that will own it."]
    assert chosen.status_code == 302
    assert Scenario.objects.get(slug="theft").organisation == institute


def test_copy_picker_preselects_source_organisation(anonymous_client, sign_in, lab, institute):
    source = services.import_scenario(parse_scenario(EXAMPLE, syntax="json"), organisation=institute).scenario
    sign_in("two-hats", (lab, Role.ANALYST), (institute, Role.ANALYST))

    page = anonymous_client.get(copy_url(source)).content.decode()

    assert '<option value="institute" selected>Institute</option>' in page


def test_copy_into_viewer_organisation_rejected(anonymous_client, sign_in, demo_scenario, lab, institute):
    sign_in("lab-analyst", (lab, Role.ANALYST), (institute, Role.VIEWER))

    response = anonymous_client.post(copy_url(demo_scenario), {"title": "Theft", "organisation": "institute"})

    assert response.status_code == 400
    assert errors(response) == ["organisation: “institute” is not an organisation where you are analyst or above."]
    assert Scenario.objects.count() == 1


def test_copy_without_analyst_role_403(anonymous_client, sign_in, demo_scenario, lab):
    sign_in("lab-viewer", (lab, Role.VIEWER))

    page = anonymous_client.get(copy_url(demo_scenario)).content.decode()
    detail = anonymous_client.get(reverse("scenarios:detail", args=[demo_scenario.slug])).content.decode()
    response = anonymous_client.post(copy_url(demo_scenario), {"title": "Theft"})

    assert 'id="viewer-note"' in page
    assert 'id="copy-form"' not in page
    assert 'id="copy-scenario"' not in detail
    assert response.status_code == 403
    assert Scenario.objects.count() == 1


def test_copy_other_organisation_source_404(anonymous_client, sign_in, lab, institute):
    source = services.import_scenario(parse_scenario(EXAMPLE, syntax="json"), organisation=institute).scenario
    sign_in("lab-analyst", (lab, Role.ANALYST))

    assert anonymous_client.get(copy_url(source)).status_code == 404
    assert anonymous_client.post(copy_url(source), {"title": "Theft"}).status_code == 404
    assert Scenario.objects.count() == 1


def test_copy_title_too_long_names_field(client, demo_scenario):
    response = client.post(copy_url(demo_scenario), {"title": "x" * 400})

    assert response.status_code == 400
    assert errors(response) == [f"Title: “{'x' * 59}…” has 400 characters; the limit is 300."]


@pytest.mark.parametrize("title", ["!!!", "—", "风险"])
def test_copy_title_without_slug_rejected(client, demo_scenario, title):
    response = client.post(copy_url(demo_scenario), {"title": title})

    assert response.status_code == 400
    assert errors(response) == [f"Title: “{title}” contains no letter or digit from A–Z and 0–9, from which the "
                                "scenario's address is made; add at least one."]
    assert Scenario.objects.count() == 1


def test_copy_blank_title_names_field(client, demo_scenario):
    response = client.post(copy_url(demo_scenario), {"title": "  "})

    assert response.status_code == 400
    assert errors(response) == ["Title: the copy needs a title."]


def test_copy_title_at_limit_accepted(client, demo_scenario):
    response = client.post(copy_url(demo_scenario), {"title": "a" * 300})

    assert response.status_code == 302
    assert Scenario.objects.get(title="a" * 300).organisation.slug == "demo"
