"""Deleting a scenario after a confirmation page, and restoring it from the organisation's list of deleted scenarios."""

import html
import re

import pytest
from django.urls import reverse

from riskapp.accounts.models import AuditEvent
from riskapp.scenarios import services
from riskapp.scenarios.models import Scenario


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


@pytest.fixture
def deleted(own) -> Scenario:
    scenario = Scenario.objects.get(slug=own.scenario_slug)
    services.delete_scenario(scenario, user=None)
    scenario.refresh_from_db()
    return scenario


def test_delete_get_confirms_without_deleting(anonymous_client, own, user_with_role):
    anonymous_client.force_login(user_with_role("analyst"))
    url = reverse("scenarios:delete", args=[own.scenario_slug])

    response = anonymous_client.get(url)

    page = text(response.content.decode())
    assert response.status_code == 200
    assert Scenario.objects.get(slug=own.scenario_slug).deleted_at is None
    assert "disappears from every page of Own" in page
    assert "Nothing is erased: its 1 revision, 1 assessments, 2 runs and the audit trail stay stored." in page
    assert "An admin of the organisation can restore the scenario" in page
    assert re.search(r'<form method="post" id="delete-form">', response.content.decode())
    assert AuditEvent.objects.filter(action="delete").count() == 0


def test_detail_links_delete_confirmation(anonymous_client, own, user_with_role):
    anonymous_client.force_login(user_with_role("analyst"))

    page = anonymous_client.get(reverse("scenarios:detail", args=[own.scenario_slug])).content.decode()

    assert f'href="{reverse("scenarios:delete", args=[own.scenario_slug])}" id="delete-link"' in page
    assert 'id="delete-form"' not in page


def test_delete_post_message_names_restore(anonymous_client, own, user_with_role):
    anonymous_client.force_login(user_with_role("analyst"))

    response = anonymous_client.post(reverse("scenarios:delete", args=[own.scenario_slug]), follow=True)

    assert Scenario.objects.get(slug=own.scenario_slug).deleted_at is not None
    assert [str(message) for message in response.context["messages"]] == [
        "Deleted “Weight theft by a state-backed actor”. An admin of Own can restore it."]


def test_deleted_list_shows_restore_form(anonymous_client, own, other, deleted, user_with_role):
    services.delete_scenario(Scenario.objects.get(slug=other.scenario_slug), user=None)
    anonymous_client.force_login(user_with_role("admin"))

    response = anonymous_client.get(reverse("accounts:deleted_scenarios", args=[own.organisation.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert [scenario.pk for scenario in response.context["page"].object_list] == [deleted.pk]
    restore_url = reverse("accounts:restore_scenario", args=[own.organisation.slug, deleted.slug])
    assert f'action="{restore_url}"' in page


def test_restore_shows_scenario_again(anonymous_client, own, deleted, user_with_role):
    admin = user_with_role("admin")
    anonymous_client.force_login(admin)

    response = anonymous_client.post(reverse("accounts:restore_scenario", args=[own.organisation.slug, deleted.slug]))

    assert response.status_code == 302
    assert response["Location"] == deleted.get_absolute_url()
    assert Scenario.objects.get(pk=deleted.pk).deleted_at is None
    assert anonymous_client.get(deleted.get_absolute_url()).status_code == 200
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == AuditEvent.Action.RESTORE
    assert (event.actor, event.organisation, event.object_id) == (admin, own.organisation, str(deleted.pk))
    assert event.summary == f"Restored the deleted scenario “{deleted.title}” ({deleted.slug})"


def test_restore_audited_once(own, deleted, user_with_role):
    admin = user_with_role("admin")

    first = services.restore_scenario(deleted, user=admin)
    second = services.restore_scenario(deleted, user=admin)

    assert (first, second) == (True, False)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESTORE).count() == 1


@pytest.mark.parametrize("role", ["viewer", "analyst", "facilitator"])
def test_restore_below_admin_403(anonymous_client, own, deleted, user_with_role, role):
    anonymous_client.force_login(user_with_role(role))

    response = anonymous_client.post(reverse("accounts:restore_scenario", args=[own.organisation.slug, deleted.slug]))

    assert response.status_code == 403
    assert Scenario.objects.get(pk=deleted.pk).deleted_at is not None


def test_restore_other_organisation_404(anonymous_client, own, other, user_with_role):
    other_scenario = Scenario.objects.get(slug=other.scenario_slug)
    services.delete_scenario(other_scenario, user=None)
    anonymous_client.force_login(user_with_role("admin"))

    through_own = reverse("accounts:restore_scenario", args=[own.organisation.slug, other_scenario.slug])
    through_other = reverse("accounts:restore_scenario", args=[other.organisation.slug, other_scenario.slug])

    assert anonymous_client.post(through_own).status_code == 404
    assert anonymous_client.post(through_other).status_code == 404
    assert Scenario.objects.get(pk=other_scenario.pk).deleted_at is not None


def test_restore_scenario_not_deleted_404(anonymous_client, own, user_with_role):
    anonymous_client.force_login(user_with_role("admin"))

    response = anonymous_client.post(reverse("accounts:restore_scenario", args=[own.organisation.slug,
                                                                                own.scenario_slug]))

    assert response.status_code == 404


def test_scenario_list_links_deleted_for_admin(anonymous_client, own, user_with_role):
    url = reverse("accounts:deleted_scenarios", args=[own.organisation.slug])
    anonymous_client.force_login(user_with_role("admin"))
    admin_page = anonymous_client.get(reverse("scenarios:list")).content.decode()
    anonymous_client.force_login(user_with_role("analyst"))
    analyst_page = anonymous_client.get(reverse("scenarios:list")).content.decode()

    assert f'href="{url}"' in admin_page
    assert f'href="{url}"' not in analyst_page
