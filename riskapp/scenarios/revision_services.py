"""Writes of scenario revisions that never overwrite another analyst's work: save, restore, copy.

Every save names the revision it was based on. The check that this base is still the latest
revision and the insert of the new revision happen in one transaction under the scenario
row's lock (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the project opens every
transaction with ``BEGIN IMMEDIATE``, which takes the database's write lock at once), so two
saves on the same base cannot both succeed.
"""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from riskapp.accounts.models import Organisation
from riskapp.scenarios import services
from riskapp.scenarios.format import ScenarioDocument, dump_scenario, parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_diff import ScenarioDiff, diff_scenarios
from riskapp.scenarios.selectors import revision_document

logger = logging.getLogger(__name__)


class StaleRevisionError(Exception):
    """A save based on a revision that is no longer the latest, so nothing was stored.

    ``changes`` is the diff from the base revision to the latest one: what others saved meanwhile.
    """

    def __init__(self, base: ScenarioRevision, latest: ScenarioRevision, changes: ScenarioDiff) -> None:
        self.base = base
        self.latest = latest
        self.changes = changes
        super().__init__(f"scenario {latest.scenario.slug}: the save was based on revision {base.number}, but "
                         f"revision {latest.number} has been saved since; review the changes and save again")


class UnchangedRevisionError(Exception):
    """A save whose document is identical to the latest revision, so nothing was stored."""

    def __init__(self, latest: ScenarioRevision) -> None:
        self.latest = latest
        super().__init__(f"scenario {latest.scenario.slug}: the document is identical to revision "
                         f"{latest.number}, so no new revision was stored")


class UnknownRevisionError(ValueError):
    """A base revision number that the scenario does not have."""


def save_revision(scenario: Scenario, document: ScenarioDocument, *, base_revision: int, origin: str,
                  author: AbstractBaseUser | None = None, comment: str = "") -> ScenarioRevision:
    """Store ``document`` as the scenario's next revision if ``base_revision`` is still its latest.

    Raises ``StaleRevisionError`` when another revision was saved after the base,
    ``UnchangedRevisionError`` when the document equals the latest revision, and
    ``UnknownRevisionError`` when the base is not a revision of the scenario.
    """
    with transaction.atomic():
        locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
        latest = locked.revisions.order_by("-number").first()
        base = locked.revisions.filter(number=base_revision).first()
        if base is None or latest is None:
            last = latest.number if latest else 0
            raise UnknownRevisionError(f"base_revision: {base_revision!r} is not a revision of scenario "
                                       f"{locked.slug}; its revisions are 1 to {last}")
        if base.number != latest.number:
            changes = diff_scenarios(revision_document(base), revision_document(latest))
            logger.info("Rejected a save of scenario %s based on revision %d because the latest is %d",
                        locked.slug, base.number, latest.number)
            raise StaleRevisionError(base, latest, changes)
        if latest.document == dump_scenario(document, syntax="json"):
            raise UnchangedRevisionError(latest)

        return services.import_scenario(document, scenario=locked, origin=origin, author=author, comment=comment)


def restore_revision(revision: ScenarioRevision, *, base_revision: int,
                     author: AbstractBaseUser | None = None) -> ScenarioRevision:
    """Store an earlier revision's document again as the scenario's next revision."""
    return save_revision(revision.scenario, revision_document(revision), base_revision=base_revision,
                         origin=ScenarioRevision.Origin.RESTORE, author=author,
                         comment=f"Restored from revision {revision.number}")


def copy_scenario(revision: ScenarioRevision, *, title: str | None = None, author: AbstractBaseUser | None = None,
                  organisation: Organisation | None = None) -> ScenarioRevision:
    """Start a new scenario of ``organisation`` (by default the source's) from ``revision``'s document.

    The title is descriptive, so the copy states the same problem and has the same digest.
    """
    source = revision.scenario
    document = revision_document(revision)
    if title is not None and title != document.title:
        data = {**document.data, "title": title}
        # Parsing the written data again validates the new title as an import would.
        document = parse_scenario(dump_scenario(ScenarioDocument(data=data, digest=document.digest), syntax="json"),
                                  syntax="json")
    comment = f"Copied from “{source.title}” ({source.slug}) revision {revision.number}"
    return services.import_scenario(document, origin=ScenarioRevision.Origin.COPY, author=author, comment=comment,
                                    organisation=organisation or source.organisation)
