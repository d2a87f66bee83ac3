from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from riskapp.accounts import access
from riskapp.accounts.models import Role
from riskapp.scenarios import services as scenario_services

EVENTS_PER_PAGE = 100


@require_GET
def audit_trail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the organisation's audit events, newest first, to its admins."""
    organisation = access.organisation_for(request, slug, role=Role.ADMIN)
    events = organisation.audit_events.select_related("actor")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"organisation": organisation, "page": page})


@require_GET
def deleted_scenarios(request: HttpRequest, slug: str) -> HttpResponse:
    """List the organisation's deleted scenarios, most recently deleted first, so that its admins can restore them."""
    organisation = access.organisation_for(request, slug, role=Role.ADMIN)
    scenarios = organisation.scenarios.filter(deleted_at__isnull=False).order_by("-deleted_at", "title")
    page = Paginator(scenarios, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/deleted_scenarios.html", {"organisation": organisation, "page": page})


@require_POST
def restore_scenario(request: HttpRequest, slug: str, scenario_slug: str) -> HttpResponse:
    organisation = access.organisation_for(request, slug, role=Role.ADMIN)
    scenario = access.deleted_scenario_for(request, organisation, scenario_slug)
    scenario_services.restore_scenario(scenario, user=request.user)
    messages.success(request, _("Restored “%(title)s”.") % {"title": scenario.title})
    return redirect(scenario)
