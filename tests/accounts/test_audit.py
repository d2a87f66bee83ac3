"""The audit events that services and views write for each create, import, run, cancel, export and delete."""

from django.urls import reverse

from riskapp.accounts.models import AuditEvent
from riskapp.assessments import sensitivity
from riskapp.assessments.services import cancel_run
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import Scenario
from tests.accounts.conftest import EXAMPLE


def latest_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-pk").first()


def test_fixture_events_create_and_runs(own):
    events = AuditEvent.objects.filter(organisation=own.organisation).order_by("pk")

    assert [(e.action, e.object_type) for e in events] == [
        ("create", "scenarios.scenariorevision"),
        ("run", "assessments.assessment"),
        ("run", "assessments.sensitivityanalysis"),
    ]
    assert events[1].object_id == str(own.assessment_id)
    assert events[1].summary.startswith("Started risk_matrix, game on ")


def test_new_revision_audited_as_import(own, user_with_role):
    analyst = user_with_role("analyst")
    scenario = Scenario.objects.get(slug=own.scenario_slug)
    document = parse_scenario(EXAMPLE.read_bytes(), syntax="json")

    revision = services.import_scenario(document, scenario=scenario, author=analyst)

    event = latest_event()
    assert (event.action, event.actor, event.organisation) == ("import", analyst, own.organisation)
    assert event.object_id == str(revision.pk)
    assert "revision 2" in event.summary


def test_cancel_audited_once(own, user_with_role):
    analyst = user_with_role("analyst")
    analysis_id = own.analysis_id

    first = sensitivity.cancel_analysis(analysis_id, user=analyst)
    second = sensitivity.cancel_analysis(analysis_id, user=analyst)

    assert (first, second) == (True, False)
    cancels = AuditEvent.objects.filter(action="cancel")
    assert cancels.count() == 1
    assert cancels.get().object_id == str(analysis_id)


def test_finished_run_cancel_not_audited(own, user_with_role):
    # The in-process engines have already finished, so there is nothing to cancel.
    assert cancel_run(own.run_id, user=user_with_role("analyst")) is False
    assert not AuditEvent.objects.filter(action="cancel").exists()


def test_exports_audited_per_format(anonymous_client, own, user_with_role):
    viewer = user_with_role("viewer")
    anonymous_client.force_login(viewer)

    anonymous_client.get(reverse("reports:export_csv", args=[own.assessment_id]))
    anonymous_client.get(reverse("scenarios:export", args=[own.scenario_slug, 1, "yaml"]))

    exports = AuditEvent.objects.filter(action="export").order_by("pk")
    assert [(e.actor, e.object_type) for e in exports] == [
        (viewer, "assessments.assessment"),
        (viewer, "scenarios.scenariorevision"),
    ]
    assert exports[0].summary.endswith("as CSV")
    assert exports[1].summary == f"Exported {own.scenario_slug}-r1.yaml"


def test_refused_export_not_audited(anonymous_client, own, other, user_with_role):
    anonymous_client.force_login(user_with_role("admin"))

    response = anonymous_client.get(reverse("reports:export_json", args=[other.assessment_id]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_delete_audited_once(own, user_with_role):
    analyst = user_with_role("analyst")
    scenario = Scenario.objects.get(slug=own.scenario_slug)

    services.delete_scenario(scenario, user=analyst)
    services.delete_scenario(scenario, user=analyst)

    deletes = AuditEvent.objects.filter(action="delete")
    assert deletes.count() == 1
    assert (deletes.get().actor, deletes.get().object_id) == (analyst, str(scenario.pk))


def test_evaluation_import_summary_singular_plural(own):
    from riskapp.catalog.models import ModelProfile
    from riskapp.catalog.services import import_evaluation_file

    profile = ModelProfile.objects.create(slug="frontier-y", name="Frontier Y", developer="Own",
                                          source_url="https://example.org/card.pdf", organisation=own.organisation)
    header = "model,benchmark,score,unit,date,source_url\n"
    row = "frontier-y,cybench,0.5,fraction,2026-11-0{day},https://example.org/card.pdf\n"

    import_evaluation_file((header + row.format(day=1)).encode(), "one.csv")
    singular = latest_event().summary
    import_evaluation_file((header + row.format(day=2) + row.format(day=3)).encode(), "two.csv")
    plural = latest_event().summary

    assert singular == f"Imported 1 evaluation result of “Frontier Y” ({profile.slug}) from one.csv"
    assert plural == f"Imported 2 evaluation results of “Frontier Y” ({profile.slug}) from two.csv"
