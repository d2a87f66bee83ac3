"""manage.py import_scenario: the owning organisation, new revisions checked against their base
revision, the comment and the author."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from riskapp.accounts.models import AuditEvent, Membership, Organisation, Role, demo_organisation
from riskapp.scenarios.management.commands.import_scenario import MAX_CHANGES_SHOWN, describe_changes
from riskapp.scenarios.models import Scenario
from riskapp.scenarios.revision_diff import ScenarioDiff, ValueChange

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"
TITLE = "Weight theft by a state-backed actor"


def _variant(tmp_path: Path, name: str, **changes) -> Path:
    """Write the example file with top-level keys replaced and the stolen outcome's loss set by ``loss``."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    loss = changes.pop("loss", None)
    if loss is not None:
        data["outcomes"][1]["defender_loss"] = loss
    data.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _import(*arguments: str) -> str:
    """Run the command in-process and return what it printed."""
    output = StringIO()
    call_command("import_scenario", *arguments, stdout=output)
    return output.getvalue()


@pytest.fixture
def acme(db) -> Organisation:
    return Organisation.objects.create(name="Acme", slug="acme")


@pytest.fixture
def scenario(db) -> Scenario:
    """A demo scenario whose revision 1 is the example file."""
    _import(str(EXAMPLE))
    return Scenario.objects.get()


def _add_second_revision(scenario: Scenario, tmp_path: Path) -> None:
    """Store revision 2 with a new title and the stolen outcome's loss raised from 100 to 120."""
    second = _variant(tmp_path, "second.json", title="Weight theft, revised", loss=120)
    _import(str(second), "--scenario", scenario.slug, "--base-revision", "1", "--comment", "higher loss")


@pytest.mark.django_db
def test_new_scenario_goes_to_demo():
    output = _import(str(EXAMPLE))

    scenario = Scenario.objects.get()
    assert scenario.organisation == demo_organisation()
    assert output == f"Imported {scenario.slug} revision 1 (digest {scenario.latest_revision.digest}) into " \
                     "organisation demo.\n"


def test_new_scenario_in_organisation(acme):
    _import(str(EXAMPLE), "--organisation", "acme", "--comment", "first draft")

    scenario = Scenario.objects.get()
    assert scenario.organisation == acme
    assert scenario.latest_revision.comment == "first draft"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert event.organisation == acme


def test_unknown_organisation_lists_slugs(acme):
    demo_organisation()

    with pytest.raises(CommandError) as error:
        _import(str(EXAMPLE), "--organisation", "nowhere")

    message = str(error.value)
    assert message.startswith("--organisation: 'nowhere' is not the slug of an organisation")
    assert "(acme, demo)" in message
    assert "create_organisation" in message
    assert not Scenario.objects.exists()


def test_revision_needs_base_or_force(scenario, tmp_path):
    changed = _variant(tmp_path, "changed.json", loss=150)

    with pytest.raises(CommandError) as error:
        _import(str(changed), "--scenario", scenario.slug)

    assert "--base-revision N" in str(error.value)
    assert "--force-latest" in str(error.value)
    assert "now 1" in str(error.value)
    assert scenario.revisions.count() == 1


def test_revision_on_latest_base(scenario, tmp_path):
    changed = _variant(tmp_path, "changed.json", loss=150)

    output = _import(str(changed), "--scenario", scenario.slug, "--base-revision", "1", "--comment", "new loss")

    revision = scenario.revisions.get(number=2)
    assert json.loads(revision.document)["outcomes"][1]["defender_loss"] == 150
    assert revision.comment == "new loss"
    assert revision.origin == "import"
    assert output == f"Imported {scenario.slug} revision 2 (digest {revision.digest}), based on revision 1.\n"


def test_stale_base_exits_one(scenario, tmp_path):
    _add_second_revision(scenario, tmp_path)
    mine = _variant(tmp_path, "mine.json", loss=90)

    # manage.py exits with a CommandError's returncode after printing its message to stderr.
    with pytest.raises(CommandError) as error:
        _import(str(mine), "--scenario", scenario.slug, "--base-revision", "1")

    assert error.value.returncode == 1
    message = str(error.value)
    assert message.startswith(f"Nothing was stored: the file was based on {scenario.slug} revision 1, but the "
                              "latest revision is now 2.")
    assert "import it again with --base-revision 2" in message
    assert "Revisions saved since revision 1:" in message
    assert "higher loss" in message
    assert "Changes from revision 1 to revision 2:" in message
    assert "outcome stolen “Weights stolen”: changed (defender_loss)" in message
    assert "outcomes.stolen.defender_loss: 100 → 120" in message
    assert f"title: {TITLE} → Weight theft, revised" in message
    assert scenario.revisions.count() == 2


def test_unknown_base_names_range(scenario, tmp_path):
    changed = _variant(tmp_path, "changed.json", loss=150)

    with pytest.raises(CommandError) as error:
        _import(str(changed), "--scenario", scenario.slug, "--base-revision", "7")

    assert str(error.value) == f"--base-revision: 7 is not a revision of {scenario.slug}, whose revisions are 1 to 1."
    assert error.value.returncode == 1


def test_base_revision_zero_rejected(scenario):
    with pytest.raises(CommandError, match="--base-revision: 0 is not a revision number"):
        _import(str(EXAMPLE), "--scenario", scenario.slug, "--base-revision", "0")


def test_unchanged_document_stores_nothing(scenario):
    output = _import(str(EXAMPLE), "--scenario", scenario.slug, "--base-revision", "1")

    assert output == f"The file is identical to {scenario.slug} revision 1, so no new revision was stored.\n"
    assert scenario.revisions.count() == 1


def test_force_latest_bases_on_latest(scenario, tmp_path):
    _add_second_revision(scenario, tmp_path)
    mine = _variant(tmp_path, "mine.json", loss=90)

    output = _import(str(mine), "--scenario", scenario.slug, "--force-latest")

    third = scenario.revisions.get(number=3)
    assert json.loads(third.document)["outcomes"][1]["defender_loss"] == 90
    assert output.endswith("based on revision 2.\n")


def test_force_latest_unchanged_stores_nothing(scenario):
    output = _import(str(EXAMPLE), "--scenario", scenario.slug, "--force-latest")

    assert "identical to" in output
    assert scenario.revisions.count() == 1


def test_base_and_force_exclusive(scenario):
    with pytest.raises(CommandError, match="not allowed with argument"):
        _import(str(EXAMPLE), "--scenario", scenario.slug, "--base-revision", "1", "--force-latest")


@pytest.mark.parametrize("option", [["--base-revision", "1"], ["--force-latest"]])
def test_base_options_need_scenario(db, option):
    with pytest.raises(CommandError, match=f"{option[0]} applies only to a new revision of an existing scenario"):
        _import(str(EXAMPLE), *option)

    assert not Scenario.objects.exists()


def test_scenario_of_other_organisation_rejected(scenario, acme, tmp_path):
    changed = _variant(tmp_path, "changed.json", loss=150)

    with pytest.raises(CommandError) as error:
        _import(str(changed), "--scenario", scenario.slug, "--organisation", "acme", "--force-latest")

    assert str(error.value) == (f"--scenario: '{scenario.slug}' belongs to organisation demo, not to acme named by "
                                "--organisation.")
    assert scenario.revisions.count() == 1


def test_unknown_scenario_rejected(db):
    with pytest.raises(CommandError, match="--scenario: 'absent' is not the slug of a scenario"):
        _import(str(EXAMPLE), "--scenario", "absent", "--force-latest")


def test_author_recorded(acme, django_user_model):
    user = django_user_model.objects.create_user("ana")
    Membership.objects.create(user=user, organisation=acme, role=Role.ANALYST)

    _import(str(EXAMPLE), "--organisation", "acme", "--author", "ana")

    revision = Scenario.objects.get().latest_revision
    assert revision.author == user
    assert AuditEvent.objects.get(action=AuditEvent.Action.CREATE).actor == user


def test_author_unknown_rejected(acme):
    with pytest.raises(CommandError, match="--author: 'nobody' is not the user name of an account"):
        _import(str(EXAMPLE), "--organisation", "acme", "--author", "nobody")

    assert not Scenario.objects.exists()


def test_author_viewer_rejected(acme, django_user_model):
    user = django_user_model.objects.create_user("vic")
    Membership.objects.create(user=user, organisation=acme, role=Role.VIEWER)

    with pytest.raises(CommandError, match="--author: 'vic' is not analyst or above in organisation acme"):
        _import(str(EXAMPLE), "--organisation", "acme", "--author", "vic")

    assert not Scenario.objects.exists()


def test_author_checked_in_scenario_organisation(scenario, acme, django_user_model, tmp_path):
    """An analyst of another organisation may not be recorded as the author of a demo revision."""
    user = django_user_model.objects.create_user("ana")
    Membership.objects.create(user=user, organisation=acme, role=Role.ANALYST)
    changed = _variant(tmp_path, "changed.json", loss=150)

    with pytest.raises(CommandError, match="not analyst or above in organisation demo"):
        _import(str(changed), "--scenario", scenario.slug, "--force-latest", "--author", "ana")

    assert scenario.revisions.count() == 1


def test_comment_too_long_rejected(db):
    with pytest.raises(CommandError, match="--comment: 2001 characters is longer than the maximum of 2000"):
        _import(str(EXAMPLE), "--comment", "x" * 2001)

    assert not Scenario.objects.exists()


def test_invalid_file_exits_two(db, tmp_path):
    bad = _variant(tmp_path, "bad.json", loss=-1)

    with pytest.raises(CommandError) as error:
        _import(str(bad))

    assert error.value.returncode == 2
    assert "outcomes[1].defender_loss" in str(error.value)


def test_change_summary_capped():
    numbers = tuple(ValueChange(("outcomes", "stolen", "defender_loss"), Decimal(i), Decimal(i + 1))
                    for i in range(MAX_CHANGES_SHOWN + 5))
    diff = ScenarioDiff(entities=(), order=(), numbers=numbers, probabilities=(), settings=(), text=(),
                        same_problem=False)

    lines = describe_changes(diff)

    assert len(lines) == MAX_CHANGES_SHOWN + 1
    assert lines[0] == "outcomes.stolen.defender_loss: 0 → 1"
    assert lines[-1] == "… and 5 more changes"
