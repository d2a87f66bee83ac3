from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from riskapp.accounts import access
from riskapp.accounts.models import Role

EVENTS_PER_PAGE = 100


@require_GET
def audit_trail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the organisation's audit events, newest first, to its admins."""
    organisation = access.organisation_for(request, slug, role=Role.ADMIN)
    events = organisation.audit_events.select_related("actor")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"organisation": organisation, "page": page})
