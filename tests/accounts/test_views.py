"""Scenario lists, imports, deletions and the demo organisation as members see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from riskapp.accounts.models import Membership, Role, demo_organisation
from riskapp.assessments.models import Assessment
from riskapp.scenarios.models import Scenario
from tests.accounts.conftest import EXAMPLE


def upload(name: str = "weight_theft.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXAMPLE.read_bytes(), content_type="application/json")


def test_list_shows_own_scenarios_only(anonymous_client, user_with_role, own, other):
    anonymous_client.force_login(user_with_role("viewer"))

    response = anonymous_client.get(reverse("scenarios:list"))

    slugs = [scenario.slug for scenario in response.context["scenarios"]]
    assert slugs == [own.scenario_slug]


def test_list_hides_import_from_viewer(anonymous_client, user_with_role, own):
    anonymous_client.force_login(user_with_role("viewer"))

    response = anonymous_client.get(reverse("scenarios:list"))

    assert list(response.context["organisations"]) == []
    assert reverse("scenarios:import") not in response.content.decode()


def test_import_goes_to_only_organisation(anonymous_client, user_with_role, own):
    anonymous_client.force_login(user_with_role("analyst"))

    response = anonymous_client.post(reverse("scenarios:import"), {"file": upload()})

    assert response.status_code == 302
    newest = Scenario.objects.latest("pk")
    assert newest.organisation == own.organisation
    assert newest.revisions.get().author.username == "analyst"


def test_import_needs_choice_among_several(anonymous_client, user_with_role, own, other):
    analyst = user_with_role("analyst")
    Membership.objects.create(user=analyst, organisation=other.organisation, role=Role.ANALYST)
    anonymous_client.force_login(analyst)
    count = Scenario.objects.count()

    missing = anonymous_client.post(reverse("scenarios:import"), {"file": upload()})
    chosen = anonymous_client.post(reverse("scenarios:import"), {"file": upload(), "organisation": "other"})

    assert missing.status_code == 400
    assert "choose the organisation" in missing.content.decode()
    assert chosen.status_code == 302
    assert Scenario.objects.count() == count + 1
    assert Scenario.objects.latest("pk").organisation == other.organisation


def test_import_rejects_foreign_organisation(anonymous_client, user_with_role, own, other):
    anonymous_client.force_login(user_with_role("analyst"))
    count = Scenario.objects.count()

    response = anonymous_client.post(reverse("scenarios:import"), {"file": upload(), "organisation": "other"})

    assert response.status_code == 400
    assert "“other” is not an organisation where you are analyst" in response.content.decode()
    assert Scenario.objects.count() == count


def test_import_forbidden_for_viewer(anonymous_client, user_with_role, own):
    anonymous_client.force_login(user_with_role("viewer"))

    response = anonymous_client.post(reverse("scenarios:import"), {"file": upload()})

    assert response.status_code == 403


def test_delete_hides_and_keeps_everything(anonymous_client, user_with_role, own):
    anonymous_client.force_login(user_with_role("analyst"))

    response = anonymous_client.post(reverse("scenarios:delete", args=[own.scenario_slug]))

    assert response.status_code == 302
    scenario = Scenario.objects.get(slug=own.scenario_slug)
    assert scenario.deleted_at is not None
    assert scenario.revisions.count() == 1
    assert Assessment.objects.filter(pk=own.assessment_id).exists()
    assert anonymous_client.get(scenario.get_absolute_url()).status_code == 404
    assert anonymous_client.get(reverse("reports:comparison", args=[own.assessment_id])).status_code == 404
    assert list(anonymous_client.get(reverse("scenarios:list")).context["scenarios"]) == []


def test_demo_scenarios_readable_by_everyone(anonymous_client, django_user_model, example_revision, own):
    outsider = django_user_model.objects.create_user("outsider", password="outsider-password")
    anonymous_client.force_login(outsider)
    scenario = example_revision.scenario

    listed = anonymous_client.get(reverse("scenarios:list"))
    detail = anonymous_client.get(scenario.get_absolute_url())
    start = anonymous_client.post(reverse("assessments:start", args=[example_revision.pk]),
                                  {"engines": ["game"], "samples": 1000})

    assert scenario.organisation == demo_organisation()
    assert [s.slug for s in listed.context["scenarios"]] == [scenario.slug]
    assert detail.status_code == 200
    assert start.status_code == 403


def test_audit_page_lists_events(anonymous_client, user_with_role, own, other):
    anonymous_client.force_login(user_with_role("admin"))

    response = anonymous_client.get(reverse("accounts:audit", args=["own"]))

    events = list(response.context["page"].object_list)
    assert {event.organisation.slug for event in events} == {"own"}
    assert [event.action for event in events] == ["run", "run", "create"]


def test_navigation_links_admin_audit(anonymous_client, user_with_role, own):
    anonymous_client.force_login(user_with_role("admin"))

    page = anonymous_client.get(reverse("scenarios:list")).content.decode()

    assert reverse("accounts:audit", args=["own"]) in page
    assert "Signed in as admin" in page


@pytest.mark.parametrize("name", ["index", "crosswalk", "benchmarks", "profiles"])
def test_catalog_public_without_sign_in(anonymous_client, db, name):
    response = anonymous_client.get(reverse(f"catalog:{name}"))

    assert response.status_code == 200


def test_evaluation_import_needs_sign_in(anonymous_client, db):
    response = anonymous_client.get(reverse("catalog:evaluation_import"))

    assert response.status_code == 302

