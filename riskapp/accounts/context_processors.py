from django.http import HttpRequest

from riskapp.accounts.access import organisations_for
from riskapp.accounts.models import Role


def admin_organisations(request: HttpRequest) -> dict:
    """Add the organisations whose audit trail the navigation links to; the query runs only if a page renders it."""
    return {"admin_organisations": organisations_for(request.user, role=Role.ADMIN)}
