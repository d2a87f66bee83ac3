"""Workshop pages through the test client: opening, joining, answering, the dashboard data, pooling."""

import copy
import json

import pytest
from django.test import Client
from django.urls import reverse

from riskapp.accounts.models import Membership, Role
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.revision_services import save_revision
from riskapp.workshops import services
from riskapp.workshops.models import Judgement, Participant, Pooling, Workshop
from riskapp.workshops.services import Answer
from tests.workshops.conftest import QUESTION_KEYS, SCENARIO

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(facilitator):
    client = Client()
    client.force_login(facilitator)
    return client


def join(code: str) -> Client:
    client = Client()
    assert client.post(reverse("workshops:join_code", args=[code])).status_code == 302
    return client


def page_url(workshop) -> str:
    return reverse("workshops:participant", args=[workshop.code])


def test_create_workshop_from_revision(host, revision):
    url = reverse("workshops:create", args=[revision.pk])
    form = host.get(url)
    assert form.status_code == 200
    assert "p(“Weights stolen” | “Basic security”, “Recruit an insider”)" in form.content.decode()

    response = host.post(url, {"title": "Panel", "questions": QUESTION_KEYS[:2]})

    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == workshop.get_absolute_url()
    assert [question.key for question in workshop.questions.order_by("position")] == QUESTION_KEYS[:2]
    assert workshop.created_by.username == "facilitator"


def test_create_workshop_rejects_no_question(host, revision):
    response = host.post(reverse("workshops:create", args=[revision.pk]), {"title": "Panel"})
    assert response.status_code == 400
    assert "Choose at least one question." in response.content.decode()


def test_join_by_typed_code(workshop):
    client = Client()
    typed = f" {workshop.code[:4].lower()} {workshop.code[4:].lower()} "
    response = client.post(reverse("workshops:join"), {"code": typed})
    assert response["Location"] == reverse("workshops:join_code", args=[workshop.code])

    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    assert not Participant.objects.exists()
    joined = client.post(response["Location"])
    assert joined["Location"] == page_url(workshop)
    assert "E1" in client.get(page_url(workshop)).content.decode()


def test_join_unknown_code(workshop):
    response = Client().get(reverse("workshops:join_code", args=["ZZZZZZZZ"]))
    assert response.status_code == 404
    assert "No workshop has the code “ZZZZZZZZ”." in response.content.decode()


def test_join_twice_keeps_one_participant(workshop):
    client = join(workshop.code)
    response = client.post(reverse("workshops:join_code", args=[workshop.code]))
    assert response["Location"] == page_url(workshop)
    assert Participant.objects.count() == 1


def test_answers_stored_with_confidence_fraction(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    loss = questions["loss"].pk
    response = client.post(page_url(workshop), {
        f"q{loss}-low": "10", f"q{loss}-high": "90", f"q{loss}-best": "40", f"q{loss}-confidence": "80",
        f"q{questions['cell'].pk}-likelihood": "2", f"q{questions['cell'].pk}-consequence": "4",
    })
    assert response.status_code == 302
    stored = {judgement.question_id: judgement for judgement in Judgement.objects.all()}
    assert (stored[loss].low, stored[loss].high, stored[loss].best, stored[loss].confidence) == (10, 90, 40, 0.8)
    assert (stored[questions["cell"].pk].likelihood, stored[questions["cell"].pk].consequence) == (2, 4)

    page = client.get(page_url(workshop)).content.decode()
    assert f'name="q{loss}-confidence" value="80"' in page


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Answer at least one question."),
    ({"low": "10", "high": "90"}, "Q4.best: empty; fill in every part of this answer, or none to skip the question."),
    ({"low": "10", "high": "90", "best": "40", "confidence": "0"},
     "Q4.confidence: 0% lies outside (0, 100]; give a percentage above 0 and at most 100."),
    ({"low": "10", "high": "90", "best": "40", "confidence": "nan"}, "Q4.confidence: “nan” is not a finite number"),
    ({"low": "90", "high": "10", "best": "40", "confidence": "50"}, "Q4.low: 90 exceeds high 10"),
])
def test_invalid_answers_return_400(workshop, questions, data, message):
    client = join(workshop.code)
    services.open_round(workshop)
    loss = questions["loss"].pk
    response = client.post(page_url(workshop), {f"q{loss}-{part}": value for part, value in data.items()})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Judgement.objects.exists()


def test_probability_error_number_as_typed(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    response = client.post(page_url(workshop), {f"q{questions['row'].pk}-value": "2"})
    assert response.status_code == 400
    assert "Q2.value: 2 is not a probability; it must lie in [0, 1]" in response.content.decode()


def question_html(page: str, question) -> str:
    """Return the HTML of one question's fieldset on the answer page."""
    start = page.index(f'id="question-{question.pk}"')
    return page[start:page.index("</fieldset>", start)]


def test_answer_page_lists_every_error(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    cell, row, attempt, loss = questions["cell"].pk, questions["row"].pk, questions["attempt"].pk, questions["loss"].pk
    response = client.post(page_url(workshop), {
        # The form finds the missing consequence band and the text that is not a number ...
        f"q{cell}-likelihood": "2", f"q{row}-value": "abc",
        # ... and the round's rules find the probability above 1 and the reversed interval, in the same answer.
        f"q{attempt}-value": "1.5",
        f"q{loss}-low": "90", f"q{loss}-high": "10", f"q{loss}-best": "40", f"q{loss}-confidence": "50",
    })

    assert response.status_code == 400
    page = response.content.decode()
    assert "Q1.consequence: empty; fill in every part of this answer" in question_html(page, questions["cell"])
    assert "Q2.value: “abc” is not a number." in question_html(page, questions["row"])
    assert "Q3.value: 1.5 is not a probability; it must lie in [0, 1]" in question_html(page, questions["attempt"])
    assert "Q4.low: 90 exceeds high 10; the lowest plausible value must be &lt;= the highest" in \
        question_html(page, questions["loss"])
    assert not Judgement.objects.exists()


def test_interval_form_reports_every_problem(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    loss = questions["loss"].pk
    response = client.post(page_url(workshop), {
        f"q{loss}-low": "100", f"q{loss}-high": "10", f"q{loss}-best": "200", f"q{loss}-confidence": "0"})

    assert response.status_code == 400
    html = question_html(response.content.decode(), questions["loss"])
    assert "Q4.confidence: 0% lies outside (0, 100]" in html
    assert "Q4.low: 100 exceeds high 10; the lowest plausible value must be &lt;= the highest" in html
    assert "Q4.best: 200 lies outside [low, high] = [100, 10]; the best guess must lie in the interval" in html
    assert not Judgement.objects.exists()


def test_stored_message_counts_answers_in_words(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    row, attempt = questions["row"].pk, questions["attempt"].pk

    one = client.post(page_url(workshop), {f"q{row}-value": "0.3"}, follow=True).content.decode()
    two = client.post(page_url(workshop), {f"q{row}-value": "0.3", f"q{attempt}-value": "0.1"},
                      follow=True).content.decode()

    assert "Stored 1 answer for round 1. You may change it until the round closes." in one
    assert "Stored 2 answers for round 1. You may change them until the round closes." in two


def test_own_answers_show_numbers_as_typed(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    cell, row, loss = questions["cell"].pk, questions["row"].pk, questions["loss"].pk
    client.post(page_url(workshop), {
        f"q{cell}-likelihood": "2", f"q{cell}-consequence": "4", f"q{row}-value": "0.35",
        f"q{loss}-low": "0.2", f"q{loss}-high": "0.5", f"q{loss}-best": "0.35", f"q{loss}-confidence": "80",
    })

    page = client.get(page_url(workshop)).content.decode()

    def own(question):
        start = page.index(f'<tr data-question="{question.pk}">', page.index('id="own-answers"'))
        cell_start = page.index('class="own-answer">', start) + len('class="own-answer">')
        return page[cell_start:page.index("</td>", cell_start)]

    assert own(questions["cell"]) == "Possible / Catastrophic"
    assert own(questions["row"]) == "0.35"
    assert own(questions["loss"]) == "[0.2, 0.5], best guess 0.35, 80%"
    assert "0.3500000000" not in page


def test_pooling_preview_marks_a_pair_no_expert_gave(host, workshop, questions):
    first, second = join(workshop.code), join(workshop.code)
    round_ = services.open_round(workshop)
    cell = questions["cell"].pk
    first.post(page_url(workshop), {f"q{cell}-likelihood": "2", f"q{cell}-consequence": "4"})
    second.post(page_url(workshop), {f"q{cell}-likelihood": "3", f"q{cell}-consequence": "3"})
    services.close_round(round_)
    pooling_row = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)

    page = host.get(pooling_row.get_absolute_url()).content.decode()

    assert '<span id="pooling-weights">E1 0.5, E2 0.5</span>' in page
    start = page.index(f'<tr data-question="{cell}">')
    row = page[start:page.index("</tr>", start)]
    assert "Likely / Catastrophic" in row
    assert "No expert gave this pair: each axis takes its own median band." in row
    assert ("Likelihood: the weight splits evenly between Possible and Likely; the higher band is taken, as the "
            "cautious choice.") in row
    assert ("Consequence: the weight splits evenly between Severe and Catastrophic; the higher band is taken, as "
            "the cautious choice.") in row


def test_answers_refused_when_round_closed(workshop, questions):
    client = join(workshop.code)
    round_ = services.open_round(workshop)
    services.close_round(round_)
    response = client.post(page_url(workshop), {f"q{questions['row'].pk}-value": "0.5"}, follow=True)
    assert "Round 1 is closed, so answers are no longer accepted." in response.content.decode()
    assert not Judgement.objects.exists()


def test_rationale_error_beside_its_field(workshop, questions):
    first, second = join(workshop.code), join(workshop.code)
    round_ = services.open_round(workshop)
    row = questions["row"].pk
    first.post(page_url(workshop), {f"q{row}-value": "0.2"})
    second.post(page_url(workshop), {f"q{row}-value": "0.3"})
    services.close_round(round_)
    services.reveal_round(round_)
    services.open_round(workshop)

    response = first.post(page_url(workshop), {f"q{row}-value": "0.9"})

    assert response.status_code == 400
    assert response.context["form"].errors[f"q{row}-rationale"][0].startswith("Q2.rationale: missing; your "
                                                                             "probability 0.9")
    assert first.post(page_url(workshop), {f"q{row}-value": "0.9", f"q{row}-rationale": "Why"}).status_code == 302


def test_leave_then_refused(workshop, questions):
    client = join(workshop.code)
    services.open_round(workshop)
    response = client.post(reverse("workshops:leave", args=[workshop.code]), follow=True)
    assert "You have left this workshop" in response.content.decode()
    assert 'id="answer-form"' not in response.content.decode()
    client.post(page_url(workshop), {f"q{questions['row'].pk}-value": "0.5"})
    assert not Judgement.objects.exists()
    assert Participant.objects.get().has_left


def test_dashboard_data_shows_values_once_the_round_closes(host, workshop, questions):
    experts = [join(workshop.code) for _ in range(3)]
    round_ = services.open_round(workshop)
    row = questions["row"].pk
    for client, value in zip(experts, ["0.1", "0.2", "0.9"], strict=True):
        client.post(page_url(workshop), {f"q{row}-value": value, f"q{row}-rationale": f"reason {value}"})
    url = reverse("workshops:data", args=[workshop.pk])

    before = host.get(url).json()
    services.close_round(round_)
    closed = host.get(url).json()
    expert_data = experts[0].get(reverse("workshops:participant_data", args=[workshop.code])).json()
    expert_page = experts[0].get(page_url(workshop))
    services.reveal_round(round_)
    after = host.get(url).json()

    progress = next(question for question in before["questions"] if question["id"] == row)
    assert progress["answered"] == ["E1", "E2", "E3"]
    assert before["panel_count"] == 3
    # While the round is open the facilitator sees who answered, not what.
    text = json.dumps(before)
    assert before["revealed"] is None
    assert "0.9" not in text
    assert "reason" not in text
    # A closed round is frozen: the facilitator sees its values (pooling needs them), the experts do not yet.
    assert closed["revealed"]["state"] == "closed"
    assert closed["revealed"]["questions"] == after["revealed"]["questions"]
    assert expert_data["revealed_round"] is None
    assert expert_page.context["spread"] is None
    assert "0.9" not in expert_page.content.decode()
    assert after["revealed"]["state"] == "revealed"
    revealed = next(question for question in after["revealed"]["questions"] if question["id"] == row)
    assert [(point["label"], point["value"]) for point in revealed["points"]] == [("E1", 0.1), ("E2", 0.2),
                                                                                   ("E3", 0.9)]
    # Quartiles 0.15 and 0.55; the fences -0.45 and 1.15 leave no outlier.
    assert revealed["consensus"]["value"]["q1"] == pytest.approx(0.15)
    assert revealed["consensus"]["value"]["outliers"] == []
    assert before["version"] != closed["version"] != after["version"]


def test_dashboard_lists_tukey_outlier(host, workshop, questions):
    experts = [join(workshop.code) for _ in range(5)]
    round_ = services.open_round(workshop)
    row = questions["row"].pk
    for client, value in zip(experts, ["0.1", "0.11", "0.12", "0.13", "0.9"], strict=True):
        client.post(page_url(workshop), {f"q{row}-value": value})
    services.close_round(round_)
    services.reveal_round(round_)
    data = host.get(reverse("workshops:data", args=[workshop.pk])).json()
    revealed = next(question for question in data["revealed"]["questions"] if question["id"] == row)
    assert revealed["consensus"]["value"]["outliers"] == ["E5"]


def test_participant_spread_has_no_labels(workshop, questions):
    first, second = join(workshop.code), join(workshop.code)
    round_ = services.open_round(workshop)
    row = questions["row"].pk
    first.post(page_url(workshop), {f"q{row}-value": "0.7", f"q{row}-rationale": "Insiders are cheap to recruit."})
    second.post(page_url(workshop), {f"q{row}-value": "0.2", f"q{row}-rationale": "Access logs are audited."})
    services.close_round(round_)
    services.reveal_round(round_)

    spread = first.get(page_url(workshop)).context["spread"]
    question = next(question for question in spread["questions"] if question["id"] == row)
    # Ordered by value, the participant's own point marked, no labels and no rationales.
    assert question["points"] == [{"value": 0.2, "own": False}, {"value": 0.7, "own": True}]
    # Rationales in text order, apart from the points, as Delphi feedback.
    assert question["rationales"] == ["Access logs are audited.", "Insiders are cheap to recruit."]


def test_facilitator_sees_labelled_rationales(host, workshop, questions):
    client = join(workshop.code)
    round_ = services.open_round(workshop)
    row = questions["row"].pk
    client.post(page_url(workshop), {f"q{row}-value": "0.7", f"q{row}-rationale": "Insiders are cheap to recruit."})
    services.close_round(round_)
    services.reveal_round(round_)
    data = host.get(reverse("workshops:data", args=[workshop.pk])).json()
    question = next(question for question in data["revealed"]["questions"] if question["id"] == row)
    assert question["rationales"] == ["E1: Insiders are cheap to recruit."]


def test_participant_data_follows_round(workshop):
    client = join(workshop.code)
    url = reverse("workshops:participant_data", args=[workshop.code])
    assert client.get(url).json()["round"] is None
    round_ = services.open_round(workshop)
    opened = client.get(url).json()
    assert opened["round"] == {"number": 1, "state": "open", "state_label": "open"}
    services.close_round(round_)
    assert client.get(url).json()["version"] != opened["version"]


def answered_round(workshop, questions):
    experts = [services.join_workshop(workshop)[0] for _ in range(2)]
    round_ = services.open_round(workshop)
    services.submit_judgements(experts[0], {questions["attempt"].pk: Answer(value=0.1)})
    services.submit_judgements(experts[1], {questions["attempt"].pk: Answer(value=0.3)})
    services.close_round(round_)
    return round_


def test_pool_and_apply_through_pages(host, workshop, questions, django_capture_on_commit_callbacks):
    answered_round(workshop, questions)
    pool_url = reverse("workshops:round_pool", args=[workshop.pk, 1])
    assert host.get(pool_url).status_code == 200

    response = host.post(pool_url, {"method": "weighted_linear", "weight-E1": "3", "weight-E2": "1"})

    pooling_row = Pooling.objects.get()
    assert response["Location"] == pooling_row.get_absolute_url()
    assert pooling_row.weights == {"E1": 0.75, "E2": 0.25}
    preview = host.get(response["Location"]).content.decode()
    # 0.75 · 0.1 + 0.25 · 0.3 = 0.15
    assert "0.15" in preview
    assert "weights E1 0.75, E2 0.25" in preview

    with django_capture_on_commit_callbacks(execute=False):
        applied = host.post(reverse("workshops:pooling_apply", args=[workshop.pk, pooling_row.pk]),
                            {"base_revision": "1"})
    pooling_row.refresh_from_db()
    assert applied["Location"] == pooling_row.assessment.get_absolute_url()
    assert pooling_row.revision.number == 2


def test_pool_rejects_missing_weight(host, workshop, questions):
    answered_round(workshop, questions)
    response = host.post(reverse("workshops:round_pool", args=[workshop.pk, 1]),
                         {"method": "weighted_linear", "weight-E1": "3"})
    assert response.status_code == 400
    assert "weights.E2: missing; every participant who answered needs a weight" in response.content.decode()


def test_pooling_preview_shows_latest_revision(host, workshop, questions, revision):
    answered_round(workshop, questions)
    host.post(reverse("workshops:round_pool", args=[workshop.pk, 1]), {"method": "equal_linear"})
    pooling_row = Pooling.objects.get()
    preview = host.get(pooling_row.get_absolute_url()).content.decode()
    assert "Value in revision 1, the latest, which applying replaces" in preview
    assert pooled_cell(preview, questions["attempt"], "muted") == "0.05"
    assert pooled_cell(preview, questions["cell"], "muted") == "rated from the scenario"

    data = copy.deepcopy(SCENARIO)
    data["attacks"][1]["attempt_probability"] = 0.1915
    data["risk_matrix"] = {"ratings": {"basic": {"insider": {"likelihood": "Likely", "consequence": "Major"}}}}
    save_revision(revision.scenario, parse_scenario(json.dumps(data), syntax="json"), base_revision=1,
                  origin=ScenarioRevision.Origin.EDITOR)
    preview = host.get(pooling_row.get_absolute_url()).content.decode()

    assert "Value in revision 2, the latest, which applying replaces" in preview
    assert pooled_cell(preview, questions["attempt"], "muted") == "0.1915"
    assert pooled_cell(preview, questions["cell"], "muted") == "Likely / Major"


def pooled_cell(page: str, question, css_class: str) -> str:
    """Return the text of one cell, by its class, in a question's row of the pooled-values table."""
    start = page.index(f'<tr data-question="{question.pk}">')
    row = page[start:page.index("</tr>", start)]
    cell_start = row.index(f'<td class="{css_class}">') + len(f'<td class="{css_class}">')
    return row[cell_start:row.index("</td>", cell_start)].strip()


@pytest.mark.parametrize(("weight", "message"), [
    ("-1", "weights.E2: -1 is negative; a weight must be at least 0."),
    ("abc", "weights.E2: “abc” is not a number; a weight is a finite number of at least 0."),
])
def test_pool_weight_errors_name_field(host, workshop, questions, weight, message):
    answered_round(workshop, questions)
    response = host.post(reverse("workshops:round_pool", args=[workshop.pk, 1]),
                         {"method": "weighted_linear", "weight-E1": "3", "weight-E2": weight})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Pooling.objects.exists()


def test_apply_stale_preview_is_refused(host, workshop, questions, revision):
    answered_round(workshop, questions)
    host.post(reverse("workshops:round_pool", args=[workshop.pk, 1]), {"method": "equal_linear"})
    pooling_row = Pooling.objects.get()
    edited = parse_scenario(json.dumps({**SCENARIO, "title": "Edited meanwhile"}), syntax="json")
    save_revision(revision.scenario, edited, base_revision=1, origin=ScenarioRevision.Origin.EDITOR)

    response = host.post(reverse("workshops:pooling_apply", args=[workshop.pk, pooling_row.pk]),
                         {"base_revision": "1"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Revision 2 was saved after the revision 1 that this preview applies to" in page
    assert 'value="2"' in page  # the form now offers the latest revision
    assert revision.scenario.revisions.count() == 2


@pytest.mark.parametrize(("role", "shown"), [(Role.ANALYST, False), (Role.FACILITATOR, True), (Role.ADMIN, True)])
def test_scenario_page_links_to_new_workshop(revision, organisation, django_user_model, role, shown):
    user = django_user_model.objects.create_user(f"user-{role}", password="user-password")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    page = client.get(revision.scenario.get_absolute_url()).content.decode()
    link = f'id="open-workshop" href="{reverse("workshops:create", args=[revision.pk])}"'
    assert (link in page) == shown


def test_dashboard_links_to_exports(host, workshop):
    page = host.get(workshop.get_absolute_url()).content.decode()
    for name in ("report", "report_html", "report_pdf", "export_csv", "export_json"):
        assert f'href="{reverse(f"workshops:{name}", args=[workshop.pk])}"' in page
