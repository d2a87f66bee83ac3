"""Who reaches which workshop page: each role on each facilitator view, and participants' tokens.

A non-member gets 404, a member below the facilitator role 403, an anonymous visitor the sign-in
page. A participant reaches only the workshop whose token their session holds, and sees no
other participant's answers before a reveal.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from riskapp.accounts.models import Membership, Organisation, Role
from riskapp.workshops import services
from riskapp.workshops.models import Pooling
from riskapp.workshops.services import Answer
from tests.workshops.conftest import QUESTION_KEYS, store_scenario

ROLE_NAMES = {"viewer": Role.VIEWER, "analyst": Role.ANALYST, "facilitator": Role.FACILITATOR, "admin": Role.ADMIN}


@dataclass
class Holdings:
    """One organisation's workshop: round 1 revealed and pooled, round 2 open."""

    organisation: Organisation
    revision_id: int
    workshop_id: int
    code: str
    pooling_id: int
    row_question_id: int


def make_holdings(name: str) -> Holdings:
    organisation = Organisation.objects.create(name=name, slug=name.lower())
    revision = store_scenario(organisation)
    workshop = services.open_workshop(revision, title=f"{name} panel", questions=QUESTION_KEYS)
    row = workshop.questions.get(position=2)
    expert, _token = services.join_workshop(workshop)
    first = services.open_round(workshop)
    services.submit_judgements(expert, {row.pk: Answer(value=0.25)})
    services.close_round(first)
    services.reveal_round(first)
    pooling_row = services.pool_round(first, method=Pooling.Method.EQUAL_LINEAR)
    services.open_round(workshop)
    return Holdings(organisation, revision.pk, workshop.pk, workshop.code, pooling_row.pk, row.pk)


@pytest.fixture
def own(db) -> Holdings:
    return make_holdings("Own")


@pytest.fixture
def other(db) -> Holdings:
    return make_holdings("Other")


@dataclass(frozen=True)
class Case:
    """One facilitator URL, its method, and the status of a request that passes the access check."""

    name: str
    url: Callable[[Holdings], str]
    allowed_status: int
    method: str = "get"

    def __str__(self) -> str:
        return self.name


def _workshop(view: str, *extra):
    return lambda h: reverse(view, args=[h.workshop_id, *extra])


CASES = [
    Case("create form", lambda h: reverse("workshops:create", args=[h.revision_id]), 200),
    # An empty form passes the access check and is then rejected as invalid.
    Case("create", lambda h: reverse("workshops:create", args=[h.revision_id]), 400, "post"),
    Case("dashboard", _workshop("workshops:dashboard"), 200),
    Case("dashboard data", _workshop("workshops:data"), 200),
    # Round 2 is open, so opening another is refused with a message after the access check.
    Case("open round", _workshop("workshops:round_open"), 302, "post"),
    Case("close round", _workshop("workshops:round_close", 2), 302, "post"),
    Case("reveal round", _workshop("workshops:round_reveal", 2), 302, "post"),
    Case("pool form", _workshop("workshops:round_pool", 1), 200),
    Case("pool", _workshop("workshops:round_pool", 1), 400, "post"),
    Case("pooling preview", lambda h: reverse("workshops:pooling", args=[h.workshop_id, h.pooling_id]), 200),
    Case("apply pooling", lambda h: reverse("workshops:pooling_apply", args=[h.workshop_id, h.pooling_id]),
         400, "post"),
]

ROLES = ["anonymous", *ROLE_NAMES]


def expected_status(case: Case, role: str, owner: str) -> int:
    if role == "anonymous":
        return 302
    if owner == "other":
        return 404
    return case.allowed_status if ROLE_NAMES[role] >= Role.FACILITATOR else 403


@pytest.mark.parametrize("owner", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_facilitator_view_access(anonymous_client, django_user_model, own, other, case, role, owner):
    holdings = own if owner == "own" else other
    if role != "anonymous":
        user = django_user_model.objects.create_user(role, password=f"{role}-password")
        Membership.objects.create(user=user, organisation=own.organisation, role=ROLE_NAMES[role])
        anonymous_client.force_login(user)
    url = case.url(holdings)

    response = getattr(anonymous_client, case.method)(url)

    assert response.status_code == expected_status(case, role, owner), response.content[:300]
    if role == "anonymous":
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


@pytest.mark.parametrize("role", ROLES)
def test_workshop_list_shows_own_facilitated_only(anonymous_client, django_user_model, own, other, role):
    if role != "anonymous":
        user = django_user_model.objects.create_user(role, password=f"{role}-password")
        Membership.objects.create(user=user, organisation=own.organisation, role=ROLE_NAMES[role])
        anonymous_client.force_login(user)

    response = anonymous_client.get(reverse("workshops:list"))

    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert "Other panel" not in page
    assert ("Own panel" in page) == (ROLE_NAMES[role] >= Role.FACILITATOR)


# Participants


def joined_client(code: str) -> Client:
    client = Client()
    response = client.post(reverse("workshops:join_code", args=[code]))
    assert response.status_code == 302
    return client


def test_participant_token_is_per_workshop(own, other):
    client = joined_client(own.code)
    assert client.get(reverse("workshops:participant", args=[own.code])).status_code == 200
    assert client.get(reverse("workshops:participant_data", args=[own.code])).status_code == 200

    assert client.get(reverse("workshops:participant", args=[other.code])).status_code == 404
    assert client.get(reverse("workshops:participant_data", args=[other.code])).status_code == 404
    assert client.post(reverse("workshops:leave", args=[other.code])).status_code == 404
    response = client.post(reverse("workshops:participant", args=[other.code]), {f"q{other.row_question_id}-value": 1})
    assert response.status_code == 404


def test_participant_without_token_gets_404(own):
    client = Client()
    assert client.get(reverse("workshops:participant", args=[own.code])).status_code == 404
    assert client.get(reverse("workshops:participant_data", args=[own.code])).status_code == 404
    assert client.get(reverse("workshops:participant_data", args=["XXXXXXXX"])).status_code == 404


def test_participant_cannot_reach_facilitator_views(own):
    client = joined_client(own.code)
    for case in CASES:
        url = case.url(own)
        response = getattr(client, case.method)(url)
        assert response.status_code == 302, case.name
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_participant_sees_no_other_answers_before_reveal(own):
    first = joined_client(own.code)
    second = joined_client(own.code)
    field = f"q{own.row_question_id}-value"
    # 0.25 is the group's whole interquartile range in round 1, so both answers need a rationale.
    assert first.post(reverse("workshops:participant", args=[own.code]),
                      {field: "0.8125", f"q{own.row_question_id}-rationale": "Insider access is common."}
                      ).status_code == 302
    assert second.post(reverse("workshops:participant", args=[own.code]),
                       {field: "0.4375", f"q{own.row_question_id}-rationale": "Vetting helps."}).status_code == 302

    first_page = first.get(reverse("workshops:participant", args=[own.code])).content.decode()
    second_page = second.get(reverse("workshops:participant", args=[own.code])).content.decode()
    first_data = first.get(reverse("workshops:participant_data", args=[own.code])).content.decode()
    assert "0.8125" in first_page
    assert "0.4375" not in first_page
    assert "Vetting" not in first_page
    assert "0.4375" in second_page
    assert "0.8125" not in second_page
    assert "0.4375" not in first_data
    assert "0.8125" not in first_data


def test_participant_pages_show_no_names(own, django_user_model):
    user = django_user_model.objects.create_user("Ada Lovelace", password="secret-password")
    Membership.objects.create(user=user, organisation=own.organisation, role=Role.FACILITATOR)
    client = joined_client(own.code)
    client.force_login(user)
    page = client.get(reverse("workshops:participant", args=[own.code])).content.decode()
    assert "Ada Lovelace" not in page
    assert "Signed in as" not in page
