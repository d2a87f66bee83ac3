"""Saves of new revisions from concurrent transactions: one wins, the other is rejected with the diff.

Runs on SQLite (BEGIN IMMEDIATE serialises the transactions) and, in the test command's
PostgreSQL pass, on PostgreSQL (SELECT ... FOR UPDATE on the scenario row).
"""

import copy
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.revision_services import StaleRevisionError, restore_revision, save_revision

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "weight_theft.json").read_text())


def with_asl3_cost(cost):
    data = copy.deepcopy(EXAMPLE)
    data["defenses"][1]["cost"] = cost
    return parse_scenario(json.dumps(data), syntax="json")


def run_together(saves):
    """Run each save in its own thread and connection, released at the same moment."""
    barrier = threading.Barrier(len(saves))
    outcomes: list = [None] * len(saves)

    def save(position):
        try:
            barrier.wait()
            outcomes[position] = saves[position]()
        except BaseException as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(position,)) for position in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_concurrent_saves_one_wins():
    first = services.import_scenario(with_asl3_cost(4))
    costs = [5, 6]
    saves = [lambda cost=cost: save_revision(first.scenario, with_asl3_cost(cost), base_revision=1,
                                             origin=ScenarioRevision.Origin.EDITOR)
             for cost in costs]

    outcomes = run_together(saves)

    stored = [outcome for outcome in outcomes if isinstance(outcome, ScenarioRevision)]
    rejected = [outcome for outcome in outcomes if isinstance(outcome, StaleRevisionError)]
    assert len(stored) == 1
    assert len(rejected) == 1
    assert stored[0].number == 2
    assert list(first.scenario.revisions.values_list("number", flat=True)) == [1, 2]

    # The rejected save is shown exactly what the winner changed.
    winner_cost = costs[outcomes.index(stored[0])]
    changes = rejected[0].changes
    assert [(change.dotted_path, change.old, change.new) for change in changes.numbers] == [
        ("defenses.asl3.cost", Decimal(4), Decimal(winner_cost))]
    assert rejected[0].latest.number == 2
    assert first.scenario.revisions.get(number=2).document == stored[0].document


def test_concurrent_restore_and_save():
    first = services.import_scenario(with_asl3_cost(4))
    save_revision(first.scenario, with_asl3_cost(9), base_revision=1, origin=ScenarioRevision.Origin.EDITOR)
    saves = [
        lambda: restore_revision(first, base_revision=2),
        lambda: save_revision(first.scenario, with_asl3_cost(7), base_revision=2,
                              origin=ScenarioRevision.Origin.EDITOR),
    ]

    outcomes = run_together(saves)

    assert sum(isinstance(outcome, ScenarioRevision) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, StaleRevisionError) for outcome in outcomes) == 1
    assert first.scenario.revisions.count() == 3
    latest = first.scenario.revisions.get(number=3)
    assert latest.origin in (ScenarioRevision.Origin.RESTORE, ScenarioRevision.Origin.EDITOR)
    assert json.loads(latest.document)["defenses"][1]["cost"] == (4 if latest.origin == "restore" else 7)
