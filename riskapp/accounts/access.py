"""The one place that decides who may read or write an organisation's objects.

Every view of scenarios, assessments, runs, sensitivity analyses, reports and model profiles looks
its object up through a ``*_for`` function here. A user who is not a member of the object's organisation gets
Http404, exactly as for an id that does not exist, so ids never reveal another organisation's
data. A member whose role is too low for the action gets 403, since the object is theirs to know.
"""

from dataclasses import dataclass
from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from riskapp.accounts.models import Membership, Organisation, Role
from riskapp.assessments.models import Assessment, AssessmentRun, SensitivityAnalysis
from riskapp.catalog.models import ModelProfile
from riskapp.scenarios.models import Scenario, ScenarioRevision

AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser


def role_in(user: AnyUser, organisation: Organisation) -> int | None:
    """Return the user's role in the organisation, or None when they may not see it at all.

    Every signed-in user is a viewer of the demo organisation unless a membership gives more.
    """
    if not user.is_authenticated:
        return None
    role = Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()
    if role is None and organisation.is_demo:
        return Role.VIEWER
    return role


def check_role(user: AnyUser, organisation: Organisation, role: int) -> None:
    """Raise Http404 unless the user can see the organisation, PermissionDenied if their role is too low."""
    user_role = role_in(user, organisation)
    if user_role is None:
        raise Http404(_("Not found."))
    if user_role < role:
        raise PermissionDenied(_("This action needs the role “%(role)s” in %(organisation)s.")
                               % {"role": Role(role).label, "organisation": organisation.name})


@dataclass(frozen=True)
class Permissions:
    """The actions a user's role in one organisation allows, so that pages show only the forms the user may submit.

    The views still check the role on every request. These flags only decide what a page shows.
    """

    role: int | None

    @property
    def view(self) -> bool:
        return self.role is not None

    @property
    def edit(self) -> bool:
        """Import, edit, copy, restore, delete, and start or cancel assessments and sensitivity analyses."""
        return self.role is not None and self.role >= Role.ANALYST

    @property
    def facilitate(self) -> bool:
        return self.role is not None and self.role >= Role.FACILITATOR

    @property
    def administer(self) -> bool:
        return self.role is not None and self.role >= Role.ADMIN


def permissions(user: AnyUser, organisation: Organisation) -> Permissions:
    """Return what the user may do in the organisation. Pages pass it to templates as ``can``."""
    return Permissions(role_in(user, organisation))


def permissions_anywhere(user: AnyUser) -> Permissions:
    """Return what the user's highest role in any organisation allows, for pages that no organisation owns."""
    if not user.is_authenticated:
        return Permissions(None)
    highest = Membership.objects.filter(user=user).aggregate(highest=Max("role"))["highest"]
    return Permissions(max(highest or Role.VIEWER, Role.VIEWER))


def check_role_anywhere(user: AnyUser, role: int) -> None:
    """Raise PermissionDenied unless the user has ``role`` or above in at least one organisation."""
    if not organisations_for(user, role=role).exists():
        raise PermissionDenied(_("This action needs the role “%(role)s” in an organisation.")
                               % {"role": Role(role).label})


def organisations_for(user: AnyUser, *, role: int) -> QuerySet[Organisation]:
    """Return the organisations where the user has at least ``role``, the demo one included for viewers.

    Private organisations come before the demo one, so a picker offers a private one first:
    everything stored in the demo organisation is readable by every signed-in user.
    """
    if not user.is_authenticated:
        return Organisation.objects.none()
    has_role = Q(memberships__user=user, memberships__role__gte=role)
    if role <= Role.VIEWER:
        has_role |= Q(is_demo=True)
    return Organisation.objects.filter(has_role).distinct().order_by("is_demo", "name")


def visible_scenarios(user: AnyUser) -> QuerySet[Scenario]:
    """Return the scenarios the user may view; deleted ones are hidden from everyone."""
    readable = organisations_for(user, role=Role.VIEWER).values("pk")
    return Scenario.objects.filter(organisation__in=readable, deleted_at__isnull=True)


def visible_profiles(user: AnyUser) -> QuerySet[ModelProfile]:
    """Return the model profiles the user may view: their organisations' and the demo organisation's.

    The demo organisation's profiles restate public documents, so they are visible without signing in.
    """
    members = organisations_for(user, role=Role.VIEWER).values("pk")
    return ModelProfile.objects.filter(Q(organisation__in=members) | Q(organisation__is_demo=True))


def writable_profiles(user: AnyUser) -> QuerySet[ModelProfile]:
    """Return the model profiles of organisations where the user is analyst or above, who may add results to them."""
    return ModelProfile.objects.filter(organisation__in=organisations_for(user, role=Role.ANALYST).values("pk"))


def profile_for(request: HttpRequest, slug: str, *, role: int) -> ModelProfile:
    profile = _get(ModelProfile.objects.select_related("organisation"), slug=slug)
    if role <= Role.VIEWER and profile.organisation.is_demo:
        return profile
    check_role(request.user, profile.organisation, role)
    return profile


def organisation_for(request: HttpRequest, slug: str, *, role: int) -> Organisation:
    organisation = _get(Organisation.objects.all(), slug=slug)
    check_role(request.user, organisation, role)
    return organisation


def scenario_for(request: HttpRequest, slug: str, *, role: int) -> Scenario:
    scenario = _get(Scenario.objects.select_related("organisation"), slug=slug)
    _check_scenario(request.user, scenario, role)
    return scenario


def deleted_scenario_for(request: HttpRequest, organisation: Organisation, slug: str) -> Scenario:
    """Return a deleted scenario of ``organisation``; only its admins may see or restore deleted scenarios."""
    check_role(request.user, organisation, Role.ADMIN)
    return _get(organisation.scenarios.filter(deleted_at__isnull=False), slug=slug)


def revision_for(request: HttpRequest, revision_id: int, *, role: int) -> ScenarioRevision:
    revision = _get(ScenarioRevision.objects.select_related("scenario__organisation"), pk=revision_id)
    _check_scenario(request.user, revision.scenario, role)
    return revision


def assessment_for(request: HttpRequest, pk: int, *, role: int) -> Assessment:
    assessment = _get(Assessment.objects.select_related("revision__scenario__organisation"), pk=pk)
    _check_scenario(request.user, assessment.revision.scenario, role)
    return assessment


def run_for(request: HttpRequest, run_id: int, *, role: int) -> AssessmentRun:
    run = _get(AssessmentRun.objects.select_related("assessment__revision__scenario__organisation"), pk=run_id)
    _check_scenario(request.user, run.assessment.revision.scenario, role)
    return run


def analysis_for(request: HttpRequest, pk: int, *, role: int) -> SensitivityAnalysis:
    queryset = SensitivityAnalysis.objects.select_related("assessment__revision__scenario__organisation")
    analysis = _get(queryset, pk=pk)
    _check_scenario(request.user, analysis.assessment.revision.scenario, role)
    return analysis


def _check_scenario(user: AnyUser, scenario: Scenario, role: int) -> None:
    if scenario.deleted_at is not None:
        raise Http404(_("Not found."))
    check_role(user, scenario.organisation, role)


def _get(queryset: QuerySet, **lookup):
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


class OrganisationChoiceError(ValueError):
    """The request names no organisation, or one where the user may not write."""


def chosen_organisation(request: HttpRequest, *, role: int = Role.ANALYST) -> Organisation:
    """Return the organisation that a new object goes to: the one in the ``organisation`` field, or the user's only one.

    Raises PermissionDenied when the user has ``role`` nowhere, and OrganisationChoiceError when
    the choice is missing among several organisations or names one outside them.
    """
    organisations = organisations_for(request.user, role=role)
    if not organisations:
        raise PermissionDenied(_("This action needs the role “%(role)s” in an organisation.")
                               % {"role": Role(role).label})
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    if chosen:
        organisation = organisations.filter(slug=chosen).first()
        if organisation is None:
            raise OrganisationChoiceError(
                _("organisation: “%(value)s” is not an organisation where you are %(role)s or above.")
                % {"value": chosen, "role": Role(role).label})
        return organisation
    if len(organisations) == 1:
        return organisations[0]
    raise OrganisationChoiceError(_("organisation: choose the organisation that will own it."))
