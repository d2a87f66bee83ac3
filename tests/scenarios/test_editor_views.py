"""The scenario editor's server side: the validate, preview and measure endpoints and the saves."""

import copy
import json
import math
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from scipy import stats

from riskapp.accounts.models import AuditEvent, Membership, Organisation, Role, demo_organisation
from riskapp.catalog.models import Measure
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision

pytestmark = pytest.mark.django_db

EXAMPLE_PATH = Path(__file__).resolve().parent / "data" / "weight_theft.json"
EXAMPLE_TEXT = EXAMPLE_PATH.read_text()
EXAMPLE = json.loads(EXAMPLE_TEXT)


def validate(client, text):
    response = client.post(reverse("scenarios:editor_validate"), data=text, content_type="application/json")
    assert response.status_code == 200
    return response.json()


def with_change(path_setter):
    data = copy.deepcopy(EXAMPLE)
    path_setter(data)
    return json.dumps(data)


def only_error(result):
    assert result["valid"] is False
    assert len(result["errors"]) == 1, result["errors"]
    return result["errors"][0]


@pytest.fixture
def stored(member):
    """The example stored as revision 1 of a scenario of the demo organisation, where ``member`` is admin."""
    return services.import_scenario(parse_scenario(EXAMPLE_TEXT, syntax="json"))


def save_edit(client, scenario, text, *, base, comment="Raise the loss"):
    return client.post(reverse("scenarios:edit", args=[scenario.slug]),
                       {"document": text, "base_revision": str(base), "comment": comment})


# --- the validate endpoint ---------------------------------------------------------------------

def test_validate_accepts_example_with_its_digest(client):
    result = validate(client, EXAMPLE_TEXT)

    assert result == {"valid": True, "digest": parse_scenario(EXAMPLE_TEXT, syntax="json").digest, "errors": []}


def test_validate_negative_loss(client):
    error = only_error(validate(client, with_change(lambda d: d["outcomes"][1].update(defender_loss=-5))))

    assert error["path"] == "outcomes[1].defender_loss"
    assert error["message"] == "outcomes[1].defender_loss: -5 is negative; losses must be >= 0"


def test_validate_row_not_summing_to_one(client):
    text = EXAMPLE_TEXT.replace('"insider": {"kept": 0.7, "stolen": 0.3}', '"insider": {"kept": 0.7, "stolen": 0.2}')
    error = only_error(validate(client, text))

    assert error["path"] == "probabilities.asl2.insider"
    assert error["message"] == ("probabilities.asl2.insider: 0.9 is the sum of this row; "
                                "p(s | d, a) must sum to 1 within 1e-09")


def test_validate_unknown_measure(client):
    text = with_change(lambda d: d["defenses"][1].update(measures=["anthropic-rsp-1.0:no-such-measure"]))
    error = only_error(validate(client, text))

    assert error["path"] == "defenses[1].measures[0]"
    assert error["message"] == ('defenses[1].measures[0]: "anthropic-rsp-1.0:no-such-measure" is not a measure id '
                                "in the catalog")


def test_validate_known_measure(client):
    measure = Measure.objects.order_by("pk").first()
    text = with_change(lambda d: d["defenses"][1].update(measures=[measure.measure_id]))

    assert validate(client, text)["valid"] is True


def test_validate_number_typed_as_text(client):
    # The editor writes text that is not a JSON number as a JSON string.
    error = only_error(validate(client, with_change(lambda d: d["outcomes"][1].update(defender_loss="1O0"))))

    assert error["path"] == "outcomes[1].defender_loss"
    assert error["message"] == 'outcomes[1].defender_loss: "1O0" is text; write a number'


def test_validate_bad_distribution(client):
    error = only_error(validate(client, with_change(lambda d: d["attacks"][1].update(cost={"triangular": [5, 2, 1]}))))

    assert error["path"] == "attacks[1].cost.triangular"
    assert error["message"] == ("attacks[1].cost.triangular: [5, 2, 1] must satisfy low <= mode <= high; "
                                "write [low, mode, high]")


def test_validate_lists_every_error(client):
    data = copy.deepcopy(EXAMPLE)
    data["outcomes"][0]["defender_loss"] = -1
    data["title"] = ""
    result = validate(client, json.dumps(data))

    assert [error["path"] for error in result["errors"]] == ["title", "outcomes[0].defender_loss"]


def test_validate_oversized_body(client):
    with override_settings(RISKAPP_LIMITS={"max_file_bytes": 2000, "max_defenses": 50, "max_attacks": 50,
                                           "max_outcomes": 50, "max_samples": 1000}):
        response = client.post(reverse("scenarios:editor_validate"), data=EXAMPLE_TEXT,
                               content_type="application/json")

    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == (
        f"file: {len(EXAMPLE_TEXT.encode())} bytes is larger than the limit of 2000 bytes for a scenario file")


def test_validate_viewer_rejected(client, member, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="viewer-password")
    Membership.objects.create(user=viewer, organisation=demo_organisation(), role=Role.VIEWER)
    client.force_login(viewer)

    response = client.post(reverse("scenarios:editor_validate"), data=EXAMPLE_TEXT, content_type="application/json")

    assert response.status_code == 403


# --- the density preview -----------------------------------------------------------------------

def preview(client, path, value):
    response = client.post(reverse("scenarios:editor_preview"), data=json.dumps({"path": path, "value": value}),
                           content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_preview_triangular_density_and_mean(client):
    result = preview(client, "attacks[1].cost", '{"triangular": [1, 2, 5]}')["preview"]

    assert result["mean"] == pytest.approx(8 / 3, rel=1e-15)
    assert (result["low"], result["high"]) == (1, 5)
    assert len(result["x"]) == 121
    assert result["x"][0] == pytest.approx(1 + 4 * 0.5 / 121, rel=1e-14)
    # The triangle's density at x is 2(x - 1) / ((5 - 1)(2 - 1)) below the mode, 2(5 - x) / (4 · 3) above it.
    for x, density in zip(result["x"], result["density"], strict=True):
        expected = (x - 1) / 2 if x <= 2 else (5 - x) / 6
        assert density == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_preview_lognormal_spans_quantiles(client):
    result = preview(client, "outcomes[0].attacker_gain", '{"lognormal": [0, 0.5]}')["preview"]

    assert result["mean"] == pytest.approx(math.exp(0.125), rel=1e-15)
    # The support starts at 0; the unbounded upper end is cut at the 0.999 quantile.
    assert result["low"] == 0
    assert result["high"] == pytest.approx(stats.lognorm.ppf(0.999, 0.5), rel=1e-12)
    step = stats.lognorm.ppf(0.999, 0.5) / 121
    assert result["x"][0] == pytest.approx(step / 2, rel=1e-12)
    assert result["x"][-1] == pytest.approx(120.5 * step, rel=1e-12)


def test_preview_point_mass(client):
    result = preview(client, "attacker.risk_aversion", "0.25")["preview"]

    assert result == {"mean": 0.25, "low": 0.25, "high": 0.25, "x": [0.25], "density": [None], "is_point": True}


def test_preview_piecewise_cdf_density_is_each_segment_slope(client):
    value = '{"piecewise_cdf": [[0, 0], [10, 0.5], [10, 0.7], [40, 1]]}'
    result = preview(client, "outcomes[0].attacker_gain", value)["preview"]

    # Half the mass on [0, 10], a point mass of 0.2 at 10 and 0.3 on [10, 40]: the mean is
    # 0.5 · 5 + 0.2 · 10 + 0.3 · 25.
    assert result["mean"] == pytest.approx(12.0, rel=1e-15)
    assert (result["low"], result["high"]) == (0, 40)
    for x, density in zip(result["x"], result["density"], strict=True):
        assert density == pytest.approx(0.05 if x < 10 else 0.01, rel=1e-12)


def test_preview_accepts_a_piecewise_cdf_of_the_largest_size(client):
    points = [[index, index / 199] for index in range(200)]
    result = preview(client, "attacks[0].cost", json.dumps({"piecewise_cdf": points}))["preview"]

    assert result["mean"] == pytest.approx(99.5, rel=1e-12)


def test_preview_invalid_parameters_give_import_message(client):
    result = preview(client, "outcomes[1].attacker_gain", '{"lognormal": [0, -1]}')

    assert [error["message"] for error in result["errors"]] == [
        "outcomes[1].attacker_gain.lognormal: [0, -1] must have sigma > 0"]


def test_preview_rejects_other_paths(client):
    response = client.post(reverse("scenarios:editor_preview"),
                           data=json.dumps({"path": "title", "value": "1"}), content_type="application/json")

    assert response.status_code == 400


# --- measure search ----------------------------------------------------------------------------

def test_measures_search_by_level_and_name(client):
    measure = Measure.objects.select_related("level").order_by("pk").first()
    word = measure.name.split()[0]

    results = client.get(reverse("scenarios:editor_measures"), {"q": f"{measure.level.code} {word}"}).json()["results"]

    assert measure.measure_id in [result["measure_id"] for result in results]
    for result in results:
        assert measure.level.code.lower() in result["level"].lower() or word.lower() in result["name"].lower() \
            or word.lower() in result["framework"].lower() or word.lower() in result["measure_id"].lower()


# --- saves -------------------------------------------------------------------------------------

def test_new_scenario_saved_as_revision_one(client, member):
    response = client.post(reverse("scenarios:new"), {"document": EXAMPLE_TEXT, "comment": "From the editor"})

    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{scenario.get_absolute_url()}?revision=1"
    revision = scenario.revisions.get()
    assert (revision.origin, revision.author, revision.comment) == (ScenarioRevision.Origin.EDITOR, member,
                                                                     "From the editor")
    assert scenario.organisation == demo_organisation()
    event = AuditEvent.objects.get(object_id=str(revision.pk))
    assert (event.action, event.actor) == (AuditEvent.Action.CREATE, member)


def test_editor_digest_equals_imported_file(client):
    # Numbers as typed, such as 0.30 and 1e-2, stay as written in the editor's document.
    text = EXAMPLE_TEXT.replace('"kept": 0.7, "stolen": 0.3', '"kept": 0.70, "stolen": 0.30').replace(
        '"stolen": 0.05', '"stolen": 5e-2')
    client.post(reverse("scenarios:new"), {"document": text, "comment": ""})
    imported = services.import_scenario(services.parse_upload(text.encode(), "theft.json"))

    saved = ScenarioRevision.objects.get(origin=ScenarioRevision.Origin.EDITOR)
    assert saved.digest == imported.digest
    assert saved.document == imported.document
    assert '"stolen": 0.30' in saved.document


def test_new_scenario_with_errors_keeps_document(client):
    text = with_change(lambda d: d["outcomes"][1].update(defender_loss=-5))

    response = client.post(reverse("scenarios:new"), {"document": text, "comment": "x"})

    assert response.status_code == 400
    assert Scenario.objects.count() == 0
    page = response.content.decode()
    assert "outcomes[1].defender_loss: -5 is negative; losses must be &gt;= 0" in page
    assert '&quot;defender_loss&quot;: -5' in page


def test_new_scenario_needs_organisation_choice(client, member):
    team = Organisation.objects.create(name="Frontier safety team", slug="frontier-safety")
    Membership.objects.create(user=member, organisation=team, role=Role.ANALYST)

    missing = client.post(reverse("scenarios:new"), {"document": EXAMPLE_TEXT})
    chosen = client.post(reverse("scenarios:new"), {"document": EXAMPLE_TEXT, "organisation": "frontier-safety"})

    assert missing.status_code == 400
    assert "organisation: choose the organisation that will own it." in missing.content.decode()
    assert chosen.status_code == 302
    assert Scenario.objects.get().organisation == team


def test_edit_saves_revision_with_author_and_comment(client, member, stored):
    scenario = stored.scenario
    text = with_change(lambda d: d["outcomes"][1].update(defender_loss=120))

    response = save_edit(client, scenario, text, base=1)

    assert response.status_code == 302
    assert response["Location"] == f"{scenario.get_absolute_url()}?revision=2"
    revision = scenario.revisions.get(number=2)
    assert (revision.origin, revision.author, revision.comment) == (ScenarioRevision.Origin.EDITOR, member,
                                                                     "Raise the loss")
    assert parse_scenario(revision.document, syntax="json").data["outcomes"][1]["defender_loss"] == 120
    event = AuditEvent.objects.get(object_id=str(revision.pk))
    assert (event.action, event.actor) == (AuditEvent.Action.IMPORT, member)


def test_edit_page_opens_latest_revision(client, stored):
    response = client.get(reverse("scenarios:edit", args=[stored.scenario.slug]))

    assert response.status_code == 200
    assert response.context["base"] == 1
    assert response.context["document_text"] == stored.document


def test_stale_save_rejected_and_document_kept(client, stored):
    scenario = stored.scenario
    services.import_scenario(parse_scenario(with_change(lambda d: d["defenses"][1].update(cost=4.5)),
                                            syntax="json"), scenario=scenario)
    text = with_change(lambda d: d["outcomes"][1].update(defender_loss=120))

    response = save_edit(client, scenario, text, base=1)

    assert response.status_code == 409
    assert scenario.revisions.count() == 2
    page = response.content.decode()
    assert 'id="stale-revision"' in page
    assert "defenses.asl3.cost" in page
    assert 'id="reopen-form"' in page
    assert response.context["document_text"] == text

    reopened = client.post(reverse("scenarios:edit", args=[scenario.slug]), {"reopen": "1", "document": text,
                                                                             "comment": "Raise the loss"})
    assert reopened.status_code == 200
    assert (reopened.context["base"], reopened.context["document_text"]) == (2, text)
    assert scenario.revisions.count() == 2


def test_reopen_marks_fields_the_save_would_undo(client, stored):
    scenario = stored.scenario
    theirs = with_change(lambda d: (d["defenses"][1].update(cost=1836), d["outcomes"][1].update(defender_loss=120),
                                    d.update(title="Theft of frontier weights")))
    services.import_scenario(parse_scenario(theirs, syntax="json"), scenario=scenario)
    # The analyst also raised the loss to 120, and changed a probability that revision 2 kept.
    mine = with_change(lambda d: (d["defenses"][1].update(cost=15), d["outcomes"][1].update(defender_loss=120),
                                  d["probabilities"]["asl3"]["insider"].update(kept=0.9, stolen=0.1)))
    conflict = save_edit(client, scenario, mine, base=1)
    assert conflict.status_code == 409
    assert 'name="base_revision" value="1"' in conflict.content.decode()

    reopened = client.post(reverse("scenarios:edit", args=[scenario.slug]),
                           {"reopen": "1", "document": mine, "comment": "", "base_revision": "1"})

    assert reopened.status_code == 200
    assert reopened.context["config"]["overwritten"] == [
        {"path": "title", "mine": EXAMPLE["title"], "theirs": "Theft of frontier weights"},
        {"path": "defenses[1].cost", "mine": "15", "theirs": "1836"},
    ]
    page = reopened.content.decode()
    assert "Revision 2 changed these fields since you started; saving keeps your values:" in page
    assert "<code>defenses[1].cost</code> 15 (theirs 1836)" in page


def test_reopen_without_base_marks_nothing(client, stored):
    scenario = stored.scenario
    services.import_scenario(parse_scenario(with_change(lambda d: d["defenses"][1].update(cost=4.5)),
                                            syntax="json"), scenario=scenario)

    reopened = client.post(reverse("scenarios:edit", args=[scenario.slug]),
                           {"reopen": "1", "document": EXAMPLE_TEXT, "comment": ""})

    assert reopened.status_code == 200
    assert reopened.context["config"]["overwritten"] == []
    assert 'id="editor-overwritten"' not in reopened.content.decode()


def test_unchanged_save_rejected(client, stored):
    response = save_edit(client, stored.scenario, EXAMPLE_TEXT, base=1)

    assert response.status_code == 302
    assert stored.scenario.revisions.count() == 1
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["The scenario is identical to revision 1, so no new revision was stored."]


def test_edit_with_errors_stores_nothing(client, stored):
    text = EXAMPLE_TEXT.replace('"stolen": 0.05', '"stolen": 0.5')

    response = save_edit(client, stored.scenario, text, base=1)

    assert response.status_code == 400
    assert stored.scenario.revisions.count() == 1
    assert [error["path"] for error in response.context["errors"]] == ["probabilities.asl3.insider"]


def test_edit_by_viewer_forbidden(client, stored, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="viewer-password")
    Membership.objects.create(user=viewer, organisation=demo_organisation(), role=Role.VIEWER)
    client.force_login(viewer)

    assert client.get(reverse("scenarios:edit", args=[stored.scenario.slug])).status_code == 403
    assert save_edit(client, stored.scenario, EXAMPLE_TEXT, base=1).status_code == 403
    assert client.get(reverse("scenarios:new")).status_code == 403
    assert client.post(reverse("scenarios:new"), {"document": EXAMPLE_TEXT}).status_code == 403
    assert Scenario.objects.count() == 1


def test_edit_other_organisation_not_found(client, django_user_model):
    other = Organisation.objects.create(name="Other lab", slug="other-lab")
    foreign = services.import_scenario(parse_scenario(EXAMPLE_TEXT, syntax="json"), organisation=other)

    text = with_change(lambda d: d["outcomes"][1].update(defender_loss=120))
    assert client.get(reverse("scenarios:edit", args=[foreign.scenario.slug])).status_code == 404
    assert save_edit(client, foreign.scenario, text, base=1).status_code == 404
    assert foreign.scenario.revisions.count() == 1


def test_save_oversized_body_rejected(client, stored):
    limits = {"max_file_bytes": 2000, "max_defenses": 50, "max_attacks": 50, "max_outcomes": 50, "max_samples": 1000}
    padded = EXAMPLE_TEXT + " " * 70_000
    with override_settings(RISKAPP_LIMITS=limits, DATA_UPLOAD_MAX_MEMORY_SIZE=1_000_000):
        new = client.post(reverse("scenarios:new"), {"document": padded})
        edit = save_edit(client, stored.scenario, padded, base=1)

    assert (new.status_code, edit.status_code) == (413, 413)
    assert Scenario.objects.count() == 1
    assert stored.scenario.revisions.count() == 1


def test_save_over_file_limit_gets_parser_message(client, stored):
    limits = {"max_file_bytes": 2000, "max_defenses": 50, "max_attacks": 50, "max_outcomes": 50, "max_samples": 1000}
    with override_settings(RISKAPP_LIMITS=limits):
        response = save_edit(client, stored.scenario, with_change(lambda d: d.update(description="x" * 3000)), base=1)

    assert response.status_code == 400
    assert response.context["errors"][0]["message"].endswith("bytes is larger than the limit of 2000 bytes for a "
                                                             "scenario file")
