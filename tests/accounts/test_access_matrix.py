"""Every view and export of scenarios, assessments, sensitivity analyses and reports, for each
role, on an object of the user's own organisation and of another one.

A non-member gets 404, never 403, so that ids do not reveal what another organisation holds. A
member whose role is too low gets 403; an anonymous user is sent to the sign-in page.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from riskapp.accounts.models import Role
from tests.accounts.conftest import ROLE_NAMES, Holdings


@dataclass(frozen=True)
class Case:
    """One URL: how to build it from an organisation's holdings, the method, the role it needs and
    the status of a request that passes the access check."""

    name: str
    url: Callable[[Holdings], str]
    role: int
    allowed_status: int
    method: str = "get"

    def __str__(self) -> str:
        return self.name


def _slug(view: str, *extra):
    return lambda h: reverse(view, args=[h.scenario_slug, *extra])


def _pk(view: str, attribute: str, suffix: str = ""):
    return lambda h: reverse(view, args=[getattr(h, attribute)]) + suffix


CASES = [
    Case("scenario detail", _slug("scenarios:detail"), Role.VIEWER, 200),
    Case("scenario export JSON", _slug("scenarios:export", 1, "json"), Role.VIEWER, 200),
    Case("scenario export YAML", _slug("scenarios:export", 1, "yaml"), Role.VIEWER, 200),
    Case("matrix changes", _slug("scenarios:matrix_changes"), Role.VIEWER, 200),
    Case("revision diff", _slug("scenarios:diff"), Role.VIEWER, 200),
    Case("copy form", _slug("scenarios:copy", 1), Role.VIEWER, 200),
    # An empty form passes the access check and is then rejected as invalid.
    Case("copy", _slug("scenarios:copy", 1), Role.ANALYST, 400, "post"),
    Case("restore", _slug("scenarios:restore", 1), Role.ANALYST, 400, "post"),
    Case("import revision form", _slug("scenarios:import_revision"), Role.ANALYST, 200),
    Case("import revision", _slug("scenarios:import_revision"), Role.ANALYST, 400, "post"),
    Case("delete confirmation", _slug("scenarios:delete"), Role.ANALYST, 200),
    Case("delete scenario", _slug("scenarios:delete"), Role.ANALYST, 302, "post"),
    Case("start assessment", _pk("assessments:start", "revision_id"), Role.ANALYST, 400, "post"),
    Case("assessment detail", _pk("assessments:detail", "assessment_id"), Role.VIEWER, 200),
    Case("assessment progress", _pk("assessments:progress", "assessment_id"), Role.VIEWER, 200),
    Case("cancel run", _pk("assessments:cancel", "run_id"), Role.ANALYST, 302, "post"),
    Case("start sensitivity", _pk("assessments:start_sensitivity", "assessment_id"), Role.ANALYST, 302, "post"),
    Case("sensitivity detail", _pk("assessments:sensitivity", "analysis_id"), Role.VIEWER, 200),
    Case("sensitivity progress", _pk("assessments:sensitivity_progress", "analysis_id"), Role.VIEWER, 200),
    Case("cancel sensitivity", _pk("assessments:cancel_sensitivity", "analysis_id"), Role.ANALYST, 302, "post"),
    Case("comparison report", _pk("reports:comparison", "assessment_id"), Role.VIEWER, 200),
    Case("comparison data", _pk("reports:comparison_data", "assessment_id"), Role.VIEWER, 200),
    Case("export HTML", _pk("reports:export_html", "assessment_id"), Role.VIEWER, 200),
    Case("export JSON", _pk("reports:export_json", "assessment_id"), Role.VIEWER, 200),
    Case("export CSV", _pk("reports:export_csv", "assessment_id"), Role.VIEWER, 200),
    Case("export PDF", _pk("reports:export_pdf", "assessment_id"), Role.VIEWER, 200),
    Case("audit trail", lambda h: reverse("accounts:audit", args=[h.organisation.slug]), Role.ADMIN, 200),
    Case("deleted scenarios", lambda h: reverse("accounts:deleted_scenarios", args=[h.organisation.slug]),
         Role.ADMIN, 200),
]

ROLES = ["anonymous", *ROLE_NAMES]


def expected_status(case: Case, role: str, owner: str) -> int:
    if role == "anonymous":
        return 302
    if owner == "other":
        return 404
    return case.allowed_status if ROLE_NAMES[role] >= case.role else 403


@pytest.mark.parametrize("owner", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_access_matrix_status(anonymous_client, user_with_role, own, other, case, role, owner):
    holdings = own if owner == "own" else other
    if role != "anonymous":
        anonymous_client.force_login(user_with_role(role))
    url = case.url(holdings)

    response = getattr(anonymous_client, case.method)(url)

    assert response.status_code == expected_status(case, role, owner), response.content[:300]
    if role == "anonymous":
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"
