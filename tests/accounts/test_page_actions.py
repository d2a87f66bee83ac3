"""Every page shows a form or action link only to roles that may use it.

Each case opens one page as an analyst and as a viewer of the same organisation, reads the
forms and action links out of the HTML, and checks that the analyst sees the expected actions,
the viewer sees none of them, and the server still answers the viewer's POST to each with 403.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.urls import Resolver404, resolve, reverse

from riskapp.accounts.models import Membership, Role, demo_organisation
from riskapp.assessments.models import AssessmentRun
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision
from riskapp.scenarios.revision_services import save_revision
from tests.accounts.conftest import EXAMPLE, Holdings

SIGN_OUT = reverse("accounts:logout")


class ActionParser(HTMLParser):
    """Collect (method, action) of every form, and the links to pages that only analysts may open."""

    ACTION_VIEWS = {"catalog:evaluation_import", "scenarios:delete"}

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.actions: set[tuple[str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.actions.add((method, attributes.get("action") or self.page_url))
        elif tag == "a" and self._is_action(attributes.get("href") or ""):
            self.actions.add(("link", attributes["href"]))

    def _is_action(self, href: str) -> bool:
        path = href.split("?")[0]
        if not path.startswith("/"):
            return False
        try:
            return resolve(path).view_name in self.ACTION_VIEWS
        except Resolver404:
            return False


def page_actions(client, url: str) -> set[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    parser = ActionParser(url)
    parser.feed(response.content.decode())
    return parser.actions - {("post", SIGN_OUT)}


@dataclass(frozen=True)
class PageCase:
    """A page and the actions an analyst sees on it, both built from an organisation's holdings."""

    name: str
    url: Callable[[Holdings], str]
    actions: Callable[[Holdings], set[tuple[str, str]]]

    def __str__(self) -> str:
        return self.name


def _scenario(h: Holdings, view: str, *extra) -> str:
    return reverse(view, args=[h.scenario_slug, *extra])


PAGES = [
    PageCase("scenario list", lambda h: reverse("scenarios:list"),
             lambda h: {("post", reverse("scenarios:import"))}),
    PageCase("scenario detail", lambda h: _scenario(h, "scenarios:detail"), lambda h: {
        ("post", reverse("assessments:start", args=[h.revision_id])),
        ("post", _scenario(h, "scenarios:restore", 1)),
        ("post", _scenario(h, "scenarios:import_revision")),
        ("get", _scenario(h, "scenarios:copy", 2)),
        ("link", _scenario(h, "scenarios:delete")),
    }),
    PageCase("copy form", lambda h: _scenario(h, "scenarios:copy", 2),
             lambda h: {("post", _scenario(h, "scenarios:copy", 2))}),
    PageCase("assessment detail", lambda h: reverse("assessments:detail", args=[h.assessment_id]), lambda h: {
        ("post", reverse("assessments:cancel", args=[h.run_id])),
        ("post", reverse("assessments:start_sensitivity", args=[h.assessment_id])),
    }),
    PageCase("sensitivity detail", lambda h: reverse("assessments:sensitivity", args=[h.analysis_id]),
             lambda h: {("post", reverse("assessments:cancel_sensitivity", args=[h.analysis_id]))}),
    PageCase("model profiles", lambda h: reverse("catalog:profiles"),
             lambda h: {("link", reverse("catalog:evaluation_import"))}),
    PageCase("model profile", lambda h: reverse("catalog:profile", args=["claude-opus-4"]),
             lambda h: {("post", reverse("catalog:draft_scenario", args=["claude-opus-4", "anthropic-rsp-2.2"]))}),
]


@pytest.fixture
def holdings(own) -> Holdings:
    """The ``own`` organisation's holdings with a second revision, so that revision 1 can be restored,
    and a running run, so that it can be cancelled."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["title"] = "Second revision"
    document = parse_scenario(json.dumps(data).encode(), syntax="json")
    scenario = Scenario.objects.get(slug=own.scenario_slug)
    revision = save_revision(scenario, document, base_revision=1, origin=ScenarioRevision.Origin.IMPORT)
    AssessmentRun.objects.filter(pk=own.run_id).update(state=AssessmentRun.State.RUNNING)
    own.revision_id = revision.pk
    return own


def _sign_in(client, user_with_role, role: str):
    client.force_login(user_with_role(role))
    return client


@pytest.mark.parametrize("role", ["analyst", "facilitator", "admin"])
@pytest.mark.parametrize("case", PAGES, ids=str)
def test_writer_sees_actions(anonymous_client, user_with_role, holdings, case, role):
    client = _sign_in(anonymous_client, user_with_role, role)

    actions = page_actions(client, case.url(holdings))

    missing = case.actions(holdings) - actions
    assert not missing


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_viewer_sees_no_actions(anonymous_client, user_with_role, holdings, case):
    client = _sign_in(anonymous_client, user_with_role, "viewer")

    actions = page_actions(client, case.url(holdings))

    assert not actions & case.actions(holdings)
    assert {action for action in actions if action[0] != "get"} == set()


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_viewer_post_rejected(anonymous_client, user_with_role, holdings, case):
    client = _sign_in(anonymous_client, user_with_role, "viewer")

    for _method, url in sorted(case.actions(holdings)):
        response = client.post(url)

        assert response.status_code == 403, url


@pytest.mark.parametrize("url", [
    lambda h: reverse("scenarios:list"),
    lambda h: _scenario(h, "scenarios:detail"),
    lambda h: _scenario(h, "scenarios:copy", 2),
    lambda h: reverse("assessments:detail", args=[h.assessment_id]),
], ids=["scenario list", "scenario detail", "copy form", "assessment detail"])
def test_viewer_reads_role_note(anonymous_client, user_with_role, holdings, url):
    client = _sign_in(anonymous_client, user_with_role, "viewer")

    content = client.get(url(holdings)).content.decode()

    assert 'id="viewer-note"' in content
    assert "analyst role" in content


@pytest.mark.parametrize("url", [
    lambda h: _scenario(h, "scenarios:detail"),
    lambda h: _scenario(h, "scenarios:copy", 2),
    lambda h: reverse("assessments:detail", args=[h.assessment_id]),
], ids=["scenario detail", "copy form", "assessment detail"])
def test_analyst_reads_no_role_note(anonymous_client, user_with_role, holdings, url):
    client = _sign_in(anonymous_client, user_with_role, "analyst")

    content = client.get(url(holdings)).content.decode()

    assert 'id="viewer-note"' not in content


def test_demo_scenario_read_only_for_analyst_elsewhere(anonymous_client, user_with_role, own):
    """An analyst of one organisation is only a viewer of the demo organisation's scenarios."""
    demo = services.import_scenario(parse_scenario(EXAMPLE.read_bytes(), syntax="json"))
    client = _sign_in(anonymous_client, user_with_role, "analyst")
    url = reverse("scenarios:detail", args=[demo.scenario.slug])

    actions = page_actions(client, url)

    # Copying goes to the analyst's own organisation, so the copy form is the one action offered.
    assert actions == {("get", reverse("scenarios:copy", args=[demo.scenario.slug, 1]))}
    assert client.post(reverse("assessments:start", args=[demo.pk])).status_code == 403
    assert client.post(reverse("scenarios:delete", args=[demo.scenario.slug])).status_code == 403


def test_demo_analyst_sees_demo_actions(anonymous_client, django_user_model, db):
    """Flags follow the role in the scenario's own organisation, which for the demo one needs a membership."""
    demo = services.import_scenario(parse_scenario(EXAMPLE.read_bytes(), syntax="json"))
    user = django_user_model.objects.create_user("demo-analyst")
    Membership.objects.create(user=user, organisation=demo_organisation(), role=Role.ANALYST)
    anonymous_client.force_login(user)

    actions = page_actions(anonymous_client, reverse("scenarios:detail", args=[demo.scenario.slug]))

    assert ("post", reverse("assessments:start", args=[demo.pk])) in actions
    assert ("link", reverse("scenarios:delete", args=[demo.scenario.slug])) in actions


def test_viewer_evaluation_import_forbidden(anonymous_client, user_with_role, own):
    client = _sign_in(anonymous_client, user_with_role, "viewer")

    assert client.get(reverse("catalog:evaluation_import")).status_code == 403
    assert client.post(reverse("catalog:evaluation_import")).status_code == 403
