from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from riskapp.accounts import access
from riskapp.accounts.models import Organisation, Role, demo_organisation
from riskapp.scenarios import services
from riskapp.scenarios.format import ScenarioDocument, ScenarioFormatError
from riskapp.scenarios.forms import ScenarioUploadForm
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_diff import ABSENT, ScenarioDiff, format_value
from riskapp.scenarios.revision_services import (
    StaleRevisionError,
    UnchangedRevisionError,
    UnknownRevisionError,
    save_revision,
)

COMMENT_MAX_LENGTH = ScenarioUploadForm.base_fields["comment"].max_length

# A stale save lists at most this many changes and then counts the rest, so that a scenario
# rewritten since its base does not flood the terminal.
MAX_CHANGES_SHOWN = 30

# An unknown --organisation lists at most this many existing slugs.
MAX_SLUGS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import a scenario file as a new scenario of an organisation, or as the next revision of an existing "
        "scenario. A new revision must name the revision the file was edited from (--base-revision), so that "
        "a revision saved meanwhile is never overwritten, or say --force-latest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A scenario file (.json, .yaml or .yml).")
        parser.add_argument("--organisation", metavar="SLUG",
                            help="Slug of the organisation that owns the scenario (default: the demo organisation "
                                 "for a new scenario; with --scenario, the scenario must belong to it).")
        parser.add_argument("--scenario", metavar="SLUG", help="Slug of an existing scenario to add a revision to.")
        base = parser.add_mutually_exclusive_group()
        base.add_argument("--base-revision", type=int, metavar="N",
                          help="With --scenario: the revision number the file was edited from. The import fails "
                               "with exit status 1 if a later revision has been saved since.")
        base.add_argument("--force-latest", action="store_true",
                          help="With --scenario: base the new revision on the current latest revision, whatever "
                               "it contains.")
        parser.add_argument("--comment", default="",
                            help=f"Comment stored with the revision, at most {COMMENT_MAX_LENGTH} characters.")
        parser.add_argument("--author", metavar="USERNAME",
                            help="User recorded as the revision's author and in the audit trail. They must be "
                                 "analyst or above in the scenario's organisation.")

    def handle(self, *args, **options) -> None:
        self._check_options(options)
        document = self._read_document(Path(options["file"]))
        organisation = self._organisation(options["organisation"])
        scenario = self._scenario(options["scenario"], organisation)
        if scenario is not None:
            organisation = scenario.organisation
        author = self._author(options["author"], organisation or demo_organisation())

        if scenario is None:
            revision = services.import_scenario(document, comment=options["comment"], author=author,
                                                organisation=organisation)
            self.stdout.write(_("Imported %(slug)s revision %(number)d (digest %(digest)s) into organisation "
                                "%(organisation)s.")
                              % {"slug": revision.scenario.slug, "number": revision.number,
                                 "digest": revision.digest, "organisation": revision.scenario.organisation.slug})
            return

        self._save_revision(scenario, document, options, author)

    def _check_options(self, options: dict) -> None:
        if options["scenario"] is None:
            for name in ("base_revision", "force_latest"):
                if options[name] not in (None, False):
                    option = "--" + name.replace("_", "-")
                    raise CommandError(_("%(option)s applies only to a new revision of an existing scenario, "
                                         "so give --scenario SLUG as well.") % {"option": option})
        if options["base_revision"] is not None and options["base_revision"] < 1:
            raise CommandError(_("--base-revision: %(value)d is not a revision number, because revisions are "
                                 "numbered from 1.") % {"value": options["base_revision"]})
        if len(options["comment"]) > COMMENT_MAX_LENGTH:
            raise CommandError(_("--comment: %(length)d characters is longer than the maximum of %(limit)d.")
                               % {"length": len(options["comment"]), "limit": COMMENT_MAX_LENGTH})

    def _read_document(self, path: Path) -> ScenarioDocument:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"file: {str(path)!r} cannot be read ({error.strerror})", returncode=2) from error
        try:
            return services.parse_upload(content, path.name)
        except ScenarioFormatError as error:
            raise CommandError(f"Invalid scenario: {error}", returncode=2) from error

    def _organisation(self, slug: str | None) -> Organisation | None:
        if slug is None:
            return None
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True)[:MAX_SLUGS_SHOWN + 1])
            shown = ", ".join(slugs[:MAX_SLUGS_SHOWN]) + (", …" if len(slugs) > MAX_SLUGS_SHOWN else "")
            raise CommandError(_("--organisation: %(value)r is not the slug of an organisation. Give the slug of an "
                                 "existing one (%(slugs)s) or create it with “manage.py create_organisation NAME "
                                 "ADMIN_USER”.") % {"value": slug, "slugs": shown or _("none exists yet")})
        return organisation

    def _scenario(self, slug: str | None, organisation: Organisation | None) -> Scenario | None:
        if slug is None:
            return None
        scenario = Scenario.objects.select_related("organisation").filter(slug=slug, deleted_at__isnull=True).first()
        if scenario is None:
            raise CommandError(_("--scenario: %(value)r is not the slug of a scenario.") % {"value": slug})
        if organisation is not None and scenario.organisation_id != organisation.pk:
            raise CommandError(_("--scenario: %(value)r belongs to organisation %(owner)s, not to %(organisation)s "
                                 "named by --organisation.")
                               % {"value": slug, "owner": scenario.organisation.slug,
                                  "organisation": organisation.slug})
        return scenario

    def _author(self, username: str | None, organisation: Organisation):
        if username is None:
            return None
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("--author: %(value)r is not the user name of an account.") % {"value": username})
        role = access.role_in(user, organisation)
        if role is None or role < Role.ANALYST:
            raise CommandError(_("--author: %(value)r is not analyst or above in organisation %(organisation)s, so "
                                 "they may not import scenarios there. An admin of the organisation can change "
                                 "their role.") % {"value": username, "organisation": organisation.slug})
        return user

    def _save_revision(self, scenario: Scenario, document: ScenarioDocument, options: dict, author) -> None:
        latest = scenario.latest_revision
        if options["force_latest"]:
            base_revision = latest.number
        elif options["base_revision"] is not None:
            base_revision = options["base_revision"]
        else:
            raise CommandError(_("--scenario: a new revision of %(slug)s needs --base-revision N, the revision the "
                                 "file was edited from, so that a revision saved meanwhile is not overwritten. Give "
                                 "--force-latest instead to base it on the latest revision, now %(latest)d.")
                               % {"slug": scenario.slug, "latest": latest.number})

        try:
            revision = save_revision(scenario, document, base_revision=base_revision,
                                     origin=ScenarioRevision.Origin.IMPORT, author=author, comment=options["comment"])
        except StaleRevisionError as error:
            raise CommandError(self._stale_message(error)) from error
        except UnchangedRevisionError as error:
            self.stdout.write(_("The file is identical to %(slug)s revision %(number)d, so no new revision was "
                                "stored.") % {"slug": scenario.slug, "number": error.latest.number})
            return
        except UnknownRevisionError as error:
            raise CommandError(_("--base-revision: %(value)d is not a revision of %(slug)s, whose revisions are 1 "
                                 "to %(latest)d.") % {"value": base_revision, "slug": scenario.slug,
                                                   "latest": latest.number}) from error
        self.stdout.write(_("Imported %(slug)s revision %(number)d (digest %(digest)s), based on revision %(base)d.")
                          % {"slug": scenario.slug, "number": revision.number, "digest": revision.digest,
                             "base": base_revision})

    def _stale_message(self, error: StaleRevisionError) -> str:
        """Say that nothing was stored, which revisions were saved after the base, and what they changed."""
        base, latest = error.base, error.latest
        lines = [_("Nothing was stored: the file was based on %(slug)s revision %(base)d, but the latest revision is "
                   "now %(latest)d. Compare the changes below with your file, then import it again with "
                   "--base-revision %(latest)d.")
                 % {"slug": latest.scenario.slug, "base": base.number, "latest": latest.number},
                 _("Revisions saved since revision %(base)d:") % {"base": base.number}]
        newer = latest.scenario.revisions.filter(number__gt=base.number).select_related("author").order_by("number")
        for revision in newer:
            author = revision.author.get_username() if revision.author else "—"
            lines.append(f"  {revision.number}  {revision.created_at:%Y-%m-%d %H:%M}  {revision.get_origin_display()}"
                         f"  {author}  {revision.comment}".rstrip())
        lines.append(_("Changes from revision %(base)d to revision %(latest)d:")
                     % {"base": base.number, "latest": latest.number})
        lines += ["  " + line for line in describe_changes(error.changes)]
        return "\n".join(lines)


def describe_changes(diff: ScenarioDiff) -> list[str]:
    """Write a diff as one line per change: at most MAX_CHANGES_SHOWN lines, then a count of the rest."""
    if diff.is_empty:
        return [_("none in the stated values (the files differ only in how numbers are written)")]

    lines = []
    for entity in diff.entities:
        fields = f" ({', '.join(entity.fields)})" if entity.fields else ""
        lines.append(f"{entity.kind} {entity.id} “{entity.name}”: {entity.change}{fields}")
    for order in diff.order:
        lines.append(_("%(kind)s order: %(old)s → %(new)s")
                     % {"kind": order.kind, "old": ", ".join(order.old), "new": ", ".join(order.new)})
    for change in [*diff.numbers, *diff.probabilities, *diff.settings, *diff.text]:
        lines.append(f"{change.dotted_path}: {_format_side(change.old)} → {_format_side(change.new)}")

    if len(lines) > MAX_CHANGES_SHOWN:
        hidden = len(lines) - MAX_CHANGES_SHOWN
        lines = lines[:MAX_CHANGES_SHOWN] + [_("… and %(count)d more changes") % {"count": hidden}]
    return lines


def _format_side(value) -> str:
    if value is ABSENT:
        return _("absent")
    if value is None:
        return "null"
    return format_value(value)
