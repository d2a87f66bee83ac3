"""Writes of scenarios: import, new revisions, demo scenarios."""

import logging
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from riskapp.accounts import audit
from riskapp.accounts.models import AuditEvent, Organisation, demo_organisation
from riskapp.scenarios.format import (
    FieldError,
    ScenarioDocument,
    ScenarioFormatError,
    dump_scenario,
    parse_scenario,
    syntax_for_filename,
)
from riskapp.scenarios.limits import configured_limits
from riskapp.scenarios.models import Scenario, ScenarioRevision

logger = logging.getLogger(__name__)

DEMO_FOLDER = Path(__file__).resolve().parent / "demo"


def parse_upload(content: bytes, filename: str) -> ScenarioDocument:
    """Parse an uploaded or command-line scenario file and check its catalog references."""
    syntax = syntax_for_filename(filename)
    document = parse_scenario(content, syntax=syntax, limits=configured_limits())
    check_catalog_measures(document)
    return document


def check_catalog_measures(document: ScenarioDocument) -> None:
    """Reject measure ids that the catalog does not define."""
    from riskapp.catalog.selectors import unknown_measure_codes

    errors = []
    for index, defense in enumerate(document.data["defenses"]):
        codes = defense.get("measures") or []
        for code in unknown_measure_codes(codes):
            position = codes.index(code)
            errors.append(FieldError(f"defenses[{index}].measures[{position}]", code,
                                     "is not a measure id in the catalog"))
    if errors:
        raise ScenarioFormatError(errors)


def import_scenario(document: ScenarioDocument, *, origin: str = ScenarioRevision.Origin.IMPORT,
                    author: AbstractBaseUser | None = None, comment: str = "",
                    scenario: Scenario | None = None, is_demo: bool = False,
                    organisation: Organisation | None = None) -> ScenarioRevision:
    """Store a parsed document as a new scenario of ``organisation``, or as a new revision of ``scenario``.

    A new scenario with no organisation goes to the demo organisation.
    """
    with transaction.atomic():
        action = AuditEvent.Action.IMPORT
        if scenario is None:
            scenario = Scenario.objects.create(slug=_unique_slug(document.title), title=document.title,
                                               is_demo=is_demo, organisation=organisation or demo_organisation())
            action = AuditEvent.Action.CREATE
        revision = add_revision(scenario, document, origin=origin, author=author, comment=comment)
        audit.record(author, scenario.organisation, action, revision,
                     f"Stored revision {revision.number} of “{scenario.title}” ({scenario.slug}) from {origin}")
    logger.info("Stored scenario %s revision %d (digest %s)", scenario.slug, revision.number, revision.digest[:12])
    return revision


def add_revision(scenario: Scenario, document: ScenarioDocument, *, origin: str,
                 author: AbstractBaseUser | None = None, comment: str = "") -> ScenarioRevision:
    with transaction.atomic():
        locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
        last = locked.revisions.order_by("-number").values_list("number", flat=True).first() or 0
        revision = ScenarioRevision.objects.create(
            scenario=locked,
            number=last + 1,
            document=dump_scenario(document, syntax="json"),
            digest=document.digest,
            origin=origin,
            comment=comment,
            author=author,
        )
        if locked.title != document.title:
            locked.title = document.title
            locked.save(update_fields=["title", "updated_at"])
    return revision


def identical_latest_revision(scenario: Scenario, document: ScenarioDocument) -> ScenarioRevision | None:
    """Return the scenario's latest revision when ``document`` would store exactly the same file."""
    latest = scenario.latest_revision
    if latest is not None and latest.document == dump_scenario(document, syntax="json"):
        return latest
    return None


def export_revision(revision: ScenarioRevision, *, syntax: str,
                    user: AbstractBaseUser | None = None) -> tuple[str, str]:
    """Return the file name and text of a revision in JSON or YAML; a download by ``user`` is audited."""
    document = parse_scenario(revision.document, syntax="json")
    extension = "yaml" if syntax == "yaml" else "json"
    filename = f"{revision.scenario.slug}-r{revision.number}.{extension}"
    if user is not None:
        audit.record(user, revision.scenario.organisation, AuditEvent.Action.EXPORT, revision,
                     f"Exported {filename}")
    return filename, dump_scenario(document, syntax=syntax)


def load_demo_scenarios() -> list[ScenarioRevision]:
    """Store each bundled demo file that is missing or newer, never over a revision that a user saved.

    A demo scenario gets a new revision from its bundled file only while its latest revision
    is itself a demo revision, so an updated file replaces the application's own data but not a
    user's edit, import, workshop result or restore. A scenario whose slug a user's scenario
    already took, or that was deleted, is left alone too. Returns the revisions stored.
    """
    stored = []
    for path in sorted(DEMO_FOLDER.glob("*.json")):
        document = parse_upload(path.read_bytes(), path.name)
        slug = slugify(path.stem)[:80]
        with transaction.atomic():
            revision = _load_demo_file(slug, document, path.name)
        if revision is not None:
            logger.info("Loaded demo scenario %s revision %d from %s", slug, revision.number, path.name)
            stored.append(revision)
    return stored


def _load_demo_file(slug: str, document: ScenarioDocument, filename: str) -> ScenarioRevision | None:
    scenario = Scenario.objects.select_for_update().filter(slug=slug).first()
    comment = f"Demo scenario from {filename}"
    if scenario is None:
        scenario = Scenario.objects.create(slug=slug, title=document.title, is_demo=True,
                                           organisation=demo_organisation())
        return add_revision(scenario, document, origin=ScenarioRevision.Origin.DEMO, comment=comment)

    if not scenario.is_demo or not scenario.organisation.is_demo:
        logger.warning("Skipped demo file %s: the slug %s belongs to scenario “%s” of organisation %s",
                       filename, slug, scenario.title, scenario.organisation.slug)
        return None
    if scenario.deleted_at is not None:
        logger.info("Skipped demo file %s: demo scenario %s was deleted", filename, slug)
        return None
    latest = scenario.latest_revision
    if latest is not None and latest.document == dump_scenario(document, syntax="json"):
        return None
    if latest is not None and latest.origin != ScenarioRevision.Origin.DEMO:
        logger.info("Kept demo scenario %s at revision %d: it has users' revisions (latest from %s), "
                    "so the changed file %s was not stored", slug, latest.number, latest.origin, filename)
        return None
    return add_revision(scenario, document, origin=ScenarioRevision.Origin.DEMO, comment=comment)


def delete_scenario(scenario: Scenario, *, user: AbstractBaseUser | None) -> None:
    """Hide a scenario from every page; its revisions, assessments and audit events stay stored."""
    with transaction.atomic():
        updated = Scenario.objects.filter(pk=scenario.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
        if updated:
            audit.record(user, scenario.organisation, AuditEvent.Action.DELETE, scenario,
                         f"Deleted “{scenario.title}” ({scenario.slug})")
    logger.info("Scenario %s deleted", scenario.slug)


def restore_scenario(scenario: Scenario, *, user: AbstractBaseUser | None) -> bool:
    """Show a deleted scenario on every page again; return False if it was not deleted (nothing changes)."""
    with transaction.atomic():
        restored = Scenario.objects.filter(pk=scenario.pk, deleted_at__isnull=False).update(deleted_at=None)
        if restored:
            audit.record(user, scenario.organisation, AuditEvent.Action.RESTORE, scenario,
                         f"Restored the deleted scenario “{scenario.title}” ({scenario.slug})")
    if restored:
        logger.info("Scenario %s restored", scenario.slug)
    return bool(restored)


def _unique_slug(title: str) -> str:
    base = _cut_at_word(slugify(title, allow_unicode=False), 70) or "scenario"
    slug = base
    suffix = 2
    while Scenario.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _cut_at_word(slug: str, length: int) -> str:
    """Shorten a slug to at most ``length`` characters without cutting a word in two."""
    if len(slug) <= length:
        return slug
    cut = slug[:length + 1].rsplit("-", 1)[0]
    return cut if cut else slug[:length]
