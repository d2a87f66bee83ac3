"""Workshop services: opening, labels, the round state machine, judgements, the rationale rule and pooling."""

import copy
import json
from decimal import Decimal

import pytest

from riskapp.accounts.models import AuditEvent
from riskapp.assessments.models import Assessment
from riskapp.assessments.services import AssessmentRequest, AssessmentRequestError
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.revision_services import StaleRevisionError, save_revision
from riskapp.scenarios.selectors import revision_document
from riskapp.workshops import selectors, services
from riskapp.workshops.models import Judgement, Participant, Pooling, Round
from riskapp.workshops.services import Answer, WorkshopError
from tests.workshops.conftest import QUESTION_KEYS, SCENARIO, store_scenario

pytestmark = pytest.mark.django_db

# Assessments of the pooled revision without ARA, so that no Celery message is needed here.
IN_PROCESS = AssessmentRequest(engines=("risk_matrix", "game"))


def join(workshop, count):
    return [services.join_workshop(workshop)[0] for _ in range(count)]


def cell(likelihood, consequence, rationale=""):
    return Answer(likelihood=likelihood, consequence=consequence, rationale=rationale)


def point(value, rationale=""):
    return Answer(value=value, rationale=rationale)


def interval(low, best, high, confidence, rationale=""):
    return Answer(low=low, best=best, high=high, confidence=confidence, rationale=rationale)


def close_and_reveal(round_, user=None):
    services.close_round(round_, user=user)
    return services.reveal_round(round_, user=user)


# Opening and joining


def test_open_workshop_stores_questions_in_order(workshop, revision):
    stored = list(workshop.questions.order_by("position"))
    assert [question.key for question in stored] == QUESTION_KEYS
    assert [question.position for question in stored] == [1, 2, 3, 4, 5]
    assert stored[0].options["likelihood"][0] == "Rare"
    assert stored[0].current_value is None
    assert stored[1].current_value == 0.2
    assert stored[3].options == {"lower_bound": 0.0, "upper_bound": None}
    assert len(workshop.code) == 8
    assert AuditEvent.objects.filter(object_type="workshops.workshop", action="create").count() == 1


def test_open_workshop_rejects_unknown_question(revision):
    with pytest.raises(WorkshopError, match=r"^questions: 'interval:defender_loss:gone' is not a question"):
        services.open_workshop(revision, title="Panel", questions=["interval:defender_loss:gone"])


def test_open_workshop_rejects_empty_title_and_no_questions(revision):
    with pytest.raises(WorkshopError, match=r"^title: the title is empty"):
        services.open_workshop(revision, title="  ", questions=QUESTION_KEYS)
    with pytest.raises(WorkshopError, match=r"^questions: no question chosen"):
        services.open_workshop(revision, title="Panel", questions=[])


def test_join_gives_next_labels_and_stores_digest(workshop):
    first, token = services.join_workshop(workshop)
    second, _token = services.join_workshop(workshop)
    third, _token = services.join_workshop(workshop)

    assert [first.label, second.label, third.label] == ["E1", "E2", "E3"]
    assert first.token_digest == services.token_digest(token)
    assert token not in first.token_digest
    assert len(token) >= 40


def test_labels_are_per_workshop(workshop, revision):
    join(workshop, 2)
    other = services.open_workshop(revision, title="Second panel", questions=QUESTION_KEYS[:1])
    participant, _token = services.join_workshop(other)
    assert participant.label == "E1"
    assert other.code != workshop.code


# Rounds


def test_round_state_machine(workshop, facilitator):
    first = services.open_round(workshop, user=facilitator)
    assert (first.number, first.state) == (1, Round.State.OPEN)
    with pytest.raises(WorkshopError, match=r"^round: round 1 is open; reveal it before opening the next round"):
        services.open_round(workshop)
    with pytest.raises(WorkshopError, match=r"^round: round 1 is open, so it cannot be revealed; only a closed round "
                                            r"can be revealed$"):
        services.reveal_round(first)

    closed = services.close_round(first, user=facilitator)
    assert closed.state == Round.State.CLOSED
    assert closed.closed_at is not None
    with pytest.raises(WorkshopError, match=r"^round: round 1 is closed, so it cannot be closed; only an open round "
                                            r"can be closed$"):
        services.close_round(first)
    with pytest.raises(WorkshopError, match=r"^round: round 1 is closed; reveal it"):
        services.open_round(workshop)

    revealed = services.reveal_round(first, user=facilitator)
    assert revealed.state == Round.State.REVEALED
    assert revealed.revealed_at is not None
    second = services.open_round(workshop, user=facilitator)
    assert second.number == 2
    summaries = list(AuditEvent.objects.filter(object_type="workshops.round").values_list("summary", flat=True))
    assert len(summaries) == 4
    assert any(summary.startswith("Revealed round 1 of workshop") for summary in summaries)
    actions = AuditEvent.objects.filter(object_type="workshops.round").order_by("created_at", "pk")
    assert list(actions.values_list("action", flat=True)) == ["open", "close", "reveal", "open"]


def test_answers_refused_unless_round_open(workshop, questions):
    (expert,) = join(workshop, 1)
    answer = {questions["row"].pk: point(0.3)}
    with pytest.raises(WorkshopError, match=r"^round: no round has been opened yet; answers are accepted only"):
        services.submit_judgements(expert, answer)

    round_ = services.open_round(workshop)
    services.submit_judgements(expert, answer)
    services.close_round(round_)
    with pytest.raises(WorkshopError, match=r"^round: round 1 is closed; answers are accepted only while a round"):
        services.submit_judgements(expert, {questions["row"].pk: point(0.9)})
    services.reveal_round(round_)
    with pytest.raises(WorkshopError, match=r"^round: round 1 is revealed; answers are accepted only"):
        services.submit_judgements(expert, {questions["row"].pk: point(0.9)})

    assert Judgement.objects.get().value == 0.3


def test_resubmission_replaces_answer(workshop, questions):
    (expert,) = join(workshop, 1)
    services.open_round(workshop)
    services.submit_judgements(expert, {questions["row"].pk: point(0.3)})
    services.submit_judgements(expert, {questions["row"].pk: point(0.35)})
    assert list(Judgement.objects.values_list("value", flat=True)) == [0.35]


@pytest.mark.parametrize(("name", "answer", "message"), [
    ("row", point(1.5), r"^Q2.value: 1.5 is not a probability; it must lie in \[0, 1\]"),
    ("cell", cell(5, 0), r"^Q1.likelihood: 5 is not a band; choose one of the 5 bands"),
    ("loss", interval(30, 20, 10, 0.8), r"^Q4.low: 30 exceeds high 10; the lowest plausible value must be <="),
    ("loss", interval(-5, 20, 30, 0.8), r"^Q4.low: -5 is below the lower bound 0 of this quantity"),
    ("loss", interval(5, 20, 30, 0), r"^Q4.confidence: 0 lies outside \(0, 1\]"),
    ("attempt", point(-0.1), r"^Q3.value: -0.1 is not a probability"),
])
def test_invalid_answer_rejected(workshop, questions, name, answer, message):
    (expert,) = join(workshop, 1)
    services.open_round(workshop)
    with pytest.raises(WorkshopError, match=message):
        services.submit_judgements(expert, {questions[name].pk: answer})
    assert not Judgement.objects.exists()


def test_interval_answer_reports_every_problem(workshop, questions):
    (expert,) = join(workshop, 1)
    services.open_round(workshop)
    with pytest.raises(WorkshopError) as caught:
        services.submit_judgements(expert, {questions["loss"].pk: interval(100.0, 5.0, 10.0, 0.0)})

    loss = questions["loss"].pk
    assert [(problem.form_field, str(problem)) for problem in caught.value.problems] == [
        (f"q{loss}-low", "Q4.low: 100 exceeds high 10; the lowest plausible value must be <= the highest"),
        (f"q{loss}-best", "Q4.best: 5 lies outside [low, high] = [100, 10]; the best guess must lie in the interval"),
        (f"q{loss}-confidence", "Q4.confidence: 0 lies outside (0, 1]; give the probability that the interval "
                                "holds the true value, as a fraction above 0 and at most 1"),
    ]


def test_rejected_submission_stores_nothing(workshop, questions):
    (expert,) = join(workshop, 1)
    services.open_round(workshop)
    with pytest.raises(WorkshopError):
        services.submit_judgements(expert, {questions["row"].pk: point(0.3), questions["attempt"].pk: point(2.0)})
    assert not Judgement.objects.exists()


def test_submission_reports_every_invalid_answer_at_once(workshop, questions):
    (expert,) = join(workshop, 1)
    services.open_round(workshop)
    answers = {questions["cell"].pk: cell(7, 9), questions["row"].pk: point(0.3),
               questions["attempt"].pk: point(1.5), questions["loss"].pk: interval(30, 20, 10, 0.8)}

    with pytest.raises(WorkshopError) as caught:
        services.submit_judgements(expert, answers)

    problems = caught.value.problems
    assert [problem.form_field for problem in problems] == [
        f"q{questions['cell'].pk}-likelihood", f"q{questions['cell'].pk}-consequence",
        f"q{questions['attempt'].pk}-value", f"q{questions['loss'].pk}-low"]
    assert [str(problem) for problem in problems] == [
        "Q1.likelihood: 7 is not a band; choose one of the 5 bands",
        "Q1.consequence: 9 is not a band; choose one of the 5 bands",
        "Q3.value: 1.5 is not a probability; it must lie in [0, 1]",
        "Q4.low: 30 exceeds high 10; the lowest plausible value must be <= the highest",
    ]
    assert str(caught.value) == "; ".join(str(problem) for problem in problems)
    # The valid answer to Q2 is not stored either: a rejected submission stores nothing.
    assert not Judgement.objects.exists()
    # The read-only check finds the same problems without a transaction.
    assert [str(problem) for problem in services.check_answers(expert, answers)] == [str(p) for p in problems]


def test_question_choices_leave_out_the_status_quo_attack(revision):
    keys = [choice.key for choice in selectors.question_choices(revision_document(revision))]

    # "No attack" costs 0 and leads to "Weights kept" (loss 0) under both defenses.
    assert "matrix_cell:rating:basic/none" not in keys
    assert "matrix_cell:rating:hardened/none" not in keys
    assert "probability:attempt_probability:none" not in keys
    assert "interval:attempt_probability:none" not in keys
    # Its probability rows and cost stay on offer, and so does every question on the insider.
    assert "probability:outcome_probability:basic/none/kept" in keys
    assert "interval:attack_cost:none" in keys
    assert {"matrix_cell:rating:basic/insider", "matrix_cell:rating:hardened/insider",
            "probability:attempt_probability:insider", "interval:attempt_probability:insider"} <= set(keys)
    with pytest.raises(WorkshopError, match=r"^questions: 'matrix_cell:rating:basic/none' is not a question"):
        services.open_workshop(revision, title="Panel", questions=["matrix_cell:rating:basic/none"])


@pytest.mark.parametrize(("change", "offered"), [
    # A cost, even without any loss, makes the attack a real option to rate.
    (lambda data: data["attacks"][0].update(cost=1), True),
    # A small chance of a leak under one defense is a loss.
    (lambda data: data["probabilities"]["hardened"]["none"].update(kept=0.99, leaked=0.01), True),
    # A positive probability of an outcome without loss is still no loss.
    (lambda data: data["outcomes"][1].update(defender_loss=0) or
     data["probabilities"]["basic"]["none"].update(kept=0.5, leaked=0.5), False),
])
def test_status_quo_attack_rule(organisation, change, offered):
    data = copy.deepcopy(SCENARIO)
    change(data)
    revision = store_scenario(organisation, data)
    keys = {choice.key for choice in selectors.question_choices(revision_document(revision))}
    assert ("matrix_cell:rating:basic/none" in keys) is offered
    assert ("probability:attempt_probability:none" in keys) is offered


def test_question_of_another_workshop_rejected(workshop, revision, questions):
    other = services.open_workshop(revision, title="Other", questions=QUESTION_KEYS[:1])
    (expert,) = join(other, 1)
    services.open_round(other)
    with pytest.raises(WorkshopError, match=r"is not a question of this workshop"):
        services.submit_judgements(expert, {questions["row"].pk: point(0.3)})


# The rationale rule


def test_rationale_required_outside_group_iqr(workshop, questions):
    experts = join(workshop, 4)
    first = services.open_round(workshop)
    # Values 0.1, 0.2, 0.3, 0.4: quartiles 0.175 and 0.325 (numpy's linear method).
    for expert, value in zip(experts, [0.1, 0.2, 0.3, 0.4], strict=True):
        services.submit_judgements(expert, {questions["row"].pk: point(value)})
    close_and_reveal(first)
    services.open_round(workshop)

    with pytest.raises(WorkshopError, match=r"^Q2.rationale: missing; your probability 0.5 .*\[0.175, 0.325\]"):
        services.submit_judgements(experts[0], {questions["row"].pk: point(0.5)})
    inside = services.submit_judgements(experts[1], {questions["row"].pk: point(0.25)})
    assert inside[0].outside_group_iqr is False
    outside = services.submit_judgements(experts[0], {questions["row"].pk: point(0.5, "New red-team results.")})
    assert outside[0].outside_group_iqr is True
    assert outside[0].rationale == "New red-team results."


def test_rationale_rule_for_bands_and_best_guesses(workshop, questions):
    experts = join(workshop, 3)
    first = services.open_round(workshop)
    for expert, band in zip(experts, [1, 2, 3], strict=True):
        services.submit_judgements(expert, {questions["cell"].pk: cell(2, band),
                                            questions["loss"].pk: interval(10, 20 * band, 90, 0.8)})
    close_and_reveal(first)
    services.open_round(workshop)

    # Consequence quartiles 1.5 and 2.5; the likelihood quartiles are 2 and 2.
    with pytest.raises(WorkshopError, match=r"^Q1.rationale: missing; your consequence band Catastrophic "
                                            r"\(range from between Moderate and Major to between Major and "
                                            r"Severe\)"):
        services.submit_judgements(experts[0], {questions["cell"].pk: cell(2, 4)})
    with pytest.raises(WorkshopError, match=r"^Q1.rationale: missing; your likelihood band Likely \(range Possible\)"):
        services.submit_judgements(experts[0], {questions["cell"].pk: cell(3, 2)})
    # Best guesses 20, 40, 60: quartiles 30 and 50.
    with pytest.raises(WorkshopError, match=r"^Q4.rationale: missing; your best guess 25 \(range \[30, 50\]\)"):
        services.submit_judgements(experts[0], {questions["loss"].pk: interval(10, 25, 90, 0.8)})
    services.submit_judgements(experts[0], {questions["loss"].pk: interval(10, 30, 90, 0.8)})


def test_no_rationale_needed_in_first_round(workshop, questions):
    (expert,) = join(workshop, 1)
    services.open_round(workshop)
    stored = services.submit_judgements(expert, {questions["row"].pk: point(0.99)})
    assert stored[0].outside_group_iqr is False


# Late joiners and leavers


def test_late_joiner_outside_iqr_needs_rationale(workshop, questions):
    (early,) = join(workshop, 1)
    first = services.open_round(workshop)
    services.submit_judgements(early, {questions["row"].pk: point(0.2)})
    close_and_reveal(first)
    services.open_round(workshop)
    late, _token = services.join_workshop(workshop)
    with pytest.raises(WorkshopError, match=r"^Q2.rationale: missing"):
        services.submit_judgements(late, {questions["row"].pk: point(0.9)})
    stored = services.submit_judgements(late, {questions["row"].pk: point(0.2)})
    assert (stored[0].round.number, stored[0].participant.label) == (2, "E2")


def test_leaver_keeps_answers_and_cannot_answer(workshop, questions):
    first_expert, second_expert = join(workshop, 2)
    round_ = services.open_round(workshop)
    services.submit_judgements(first_expert, {questions["row"].pk: point(0.2)})
    left = services.leave_workshop(first_expert)
    assert left.has_left

    with pytest.raises(WorkshopError, match=r"^participant: E1 has left the workshop and cannot answer again"):
        services.submit_judgements(first_expert, {questions["row"].pk: point(0.3)})
    services.submit_judgements(second_expert, {questions["row"].pk: point(0.4)})
    services.close_round(round_)

    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    row = next(entry for entry in pooled.values if entry["question"] == questions["row"].pk)
    assert row["respondents"] == ["E1", "E2"]
    assert row["result"]["value"] == pytest.approx(0.3, abs=1e-15)


# Pooling


def answer_round(workshop, questions):
    """Three experts answer; E3 skips the attempt probability. Returns the closed round."""
    experts = join(workshop, 3)
    round_ = services.open_round(workshop)
    answers = [
        {"cell": cell(2, 2), "row": point(0.1), "attempt": point(0.1), "loss": interval(10, 20, 30, 1.0),
         "gain": interval(10, 20, 30, 1.0)},
        {"cell": cell(3, 3), "row": point(0.2), "attempt": point(0.2), "loss": interval(20, 50, 60, 1.0),
         "gain": interval(20, 50, 60, 1.0)},
        {"cell": cell(3, 4), "row": point(0.4), "loss": interval(10, 20, 30, 1.0), "gain": interval(10, 20, 30, 1.0)},
    ]
    for expert, given in zip(experts, answers, strict=True):
        services.submit_judgements(expert, {questions[name].pk: answer for name, answer in given.items()})
    services.close_round(round_)
    return round_


def entry_for(pooling_row, question):
    return next(entry for entry in pooling_row.values if entry["question"] == question.pk)


def test_pool_equal_weights_by_hand(workshop, questions, facilitator):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR, user=facilitator)

    assert pooled.weights == {"E1": pytest.approx(1 / 3), "E2": pytest.approx(1 / 3), "E3": pytest.approx(1 / 3)}
    # Likelihood bands 2, 3, 3: median 3 (Likely). Consequence bands 2, 3, 4: median 3 (Severe).
    assert entry_for(pooled, questions["cell"])["result"]["likelihood"] == "Likely"
    assert entry_for(pooled, questions["cell"])["result"]["consequence"] == "Severe"
    assert entry_for(pooled, questions["row"])["result"]["value"] == pytest.approx(0.7 / 3, rel=1e-15)
    attempt = entry_for(pooled, questions["attempt"])
    assert (attempt["respondent_count"], attempt["respondents"]) == (2, ["E1", "E2"])
    assert attempt["result"]["value"] == pytest.approx(0.15, rel=1e-15)
    # With full confidence each interval is uniform on [low, best] and on [best, high], half the
    # mass each: means 20, 45 and 20, so the pooled mean is 85 / 3.
    assert entry_for(pooled, questions["loss"])["result"]["mean"] == pytest.approx(85 / 3, rel=1e-12)
    assert AuditEvent.objects.filter(object_type="workshops.pooling", action="pool").count() == 1


def test_pooled_cell_notes_new_pair_and_split(workshop, questions):
    first, second = join(workshop, 2)
    round_ = services.open_round(workshop)
    # Possible/Catastrophic and Likely/Severe.
    services.submit_judgements(first, {questions["cell"].pk: cell(2, 4)})
    services.submit_judgements(second, {questions["cell"].pk: cell(3, 3)})
    services.close_round(round_)

    equal = entry_for(services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR), questions["cell"])["result"]
    weighted = entry_for(services.pool_round(round_, method=Pooling.Method.WEIGHTED_LINEAR,
                                             weights={"E1": 1, "E2": 3}), questions["cell"])["result"]

    # Each axis splits 1 : 1 and goes to the higher band: Likely/Catastrophic, which neither expert gave.
    assert (equal["likelihood"], equal["consequence"]) == ("Likely", "Catastrophic")
    assert equal["pair_given"] is False
    assert equal["split_upward"] == {"likelihood": "Possible", "consequence": "Severe"}
    # Weights 1/4 and 3/4: E2's bands on both axes, a pair given, and no split.
    assert (weighted["likelihood"], weighted["consequence"]) == ("Likely", "Severe")
    assert weighted["pair_given"] is True
    assert weighted["split_upward"] == {}


def test_pool_weighted_by_hand(workshop, questions):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.WEIGHTED_LINEAR,
                                 weights={"E1": 2, "E2": 1, "E3": 1})

    assert pooled.weights == {"E1": 0.5, "E2": 0.25, "E3": 0.25}
    assert entry_for(pooled, questions["row"])["result"]["value"] == pytest.approx(0.2, rel=1e-15)
    # E3 skipped the attempt probability: E1 and E2 are renormalised to 2/3 and 1/3.
    assert entry_for(pooled, questions["attempt"])["result"]["value"] == pytest.approx(0.4 / 3, rel=1e-15)
    assert entry_for(pooled, questions["loss"])["result"]["mean"] == pytest.approx(0.5 * 20 + 0.25 * 45 + 0.25 * 20)
    # Likelihood bands 2, 3, 3 with weights 1/2, 1/4, 1/4: half the weight at or above 3, so 3.
    assert entry_for(pooled, questions["cell"])["result"]["likelihood_index"] == 3


def test_pool_quantile_average_by_hand(workshop, questions):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.QUANTILE_AVERAGE)
    loss = entry_for(pooled, questions["loss"])["result"]
    # The average of the quantile functions: the median is the mean of the best guesses, 90 / 3.
    assert loss["median"] == pytest.approx(30.0, rel=1e-12)
    assert loss["mean"] == pytest.approx(85 / 3, rel=1e-12)
    assert loss["quantiles"]["0.05"] == pytest.approx((11 + 23 + 11) / 3, rel=1e-12)


@pytest.mark.parametrize(("method", "weights", "message"), [
    (Pooling.Method.WEIGHTED_LINEAR, None, r"^weights: missing"),
    (Pooling.Method.WEIGHTED_LINEAR, {"E1": 1, "E2": 1}, r"^weights.E3: missing"),
    (Pooling.Method.WEIGHTED_LINEAR, {"E1": 1, "E2": 1, "E3": -1}, r"^weights.E3: -1 is not a finite number >= 0"),
    (Pooling.Method.WEIGHTED_LINEAR, {"E1": 0, "E2": 0, "E3": 0}, r"^weights: every weight .* is 0"),
    (Pooling.Method.WEIGHTED_LINEAR, {"E1": 1, "E2": 1, "E3": 1, "E9": 1}, r"^weights.E9: not a participant"),
    (Pooling.Method.WEIGHTED_LINEAR, {"E1": 1, "E2": float("nan"), "E3": 1}, r"^weights.E2: nan is not a finite"),
    (Pooling.Method.EQUAL_LINEAR, {"E1": 1}, r"^weights: given for the equal_linear method"),
    ("log_pool", None, r"^method: 'log_pool' is not one of"),
])
def test_pool_rejects_invalid_weights(workshop, questions, method, weights, message):
    round_ = answer_round(workshop, questions)
    with pytest.raises(WorkshopError, match=message):
        services.pool_round(round_, method=method, weights=weights)
    assert not Pooling.objects.exists()


def test_pool_empty_round_refused(workshop):
    round_ = services.open_round(workshop)
    with pytest.raises(WorkshopError, match=r"^round: round 1 is still open; close it before pooling"):
        services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    services.close_round(round_)
    with pytest.raises(WorkshopError, match=r"^round: round 1 has no judgements, so there is nothing to pool"):
        services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)


# Applying a pooling


def test_apply_pooling_writes_values_by_hand(workshop, questions, facilitator, revision):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR, user=facilitator)

    applied = services.apply_pooling(pooled, base_revision=1, user=facilitator, assessment_request=IN_PROCESS)

    new = applied.revision
    assert (new.number, new.origin) == (2, ScenarioRevision.Origin.WORKSHOP)
    data = revision_document(new).data
    assert data["risk_matrix"]["ratings"]["basic"]["insider"] == {"likelihood": "Likely", "consequence": "Severe"}
    # p(stolen) = 0.7 / 3 rounded to 12 places; kept and leaked share the rest 0.766666666667 as 5 : 3.
    row = data["probabilities"]["basic"]["insider"]
    assert row["stolen"] == Decimal("0.233333333333")
    assert row["kept"] == Decimal("0.479166666667")
    assert row["leaked"] == Decimal("0.2875")
    assert sum(row.values()) == Decimal(1)
    assert data["probabilities"]["hardened"]["insider"] == SCENARIO_ROW_HARDENED
    assert data["attacks"][1]["attempt_probability"] == Decimal("0.15")
    assert data["outcomes"][2]["defender_loss"] == Decimal("28.33333333")
    # The linear pool of the gain intervals: F = 0 at 10, 1/3 at 20, 2/3 + 1/18 at 30, 5/6 at 50 and
    # 1 at 60, with the ends of the background range [5, 65] (10% overshoot) kept.
    gain = data["outcomes"][2]["attacker_gain"]["piecewise_cdf"]
    assert [[str(x), str(f)] for x, f in gain] == [
        ["5", "0"], ["10", "0"], ["20", "0.3333333333"], ["30", "0.7222222222"], ["50", "0.8333333333"],
        ["60", "1"], ["65", "1"]]
    # Values that no question asked about are unchanged.
    assert data["outcomes"][1]["defender_loss"] == Decimal(40)


SCENARIO_ROW_HARDENED = {"kept": Decimal("0.9"), "leaked": Decimal("0.06"), "stolen": Decimal("0.04")}


def test_apply_pooling_records_provenance_and_assessment(workshop, questions, facilitator):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.WEIGHTED_LINEAR,
                                 weights={"E1": 2, "E2": 1, "E3": 1}, user=facilitator)

    applied = services.apply_pooling(pooled, base_revision=1, user=facilitator, assessment_request=IN_PROCESS)

    comment = applied.revision.comment
    for fact in (f"workshop “Insider threat panel” (id {workshop.pk}, code {workshop.code})", "round 1",
                 "method: weighted linear pool,", "weights E1 0.5, E2 0.25, E3 0.25", f"pooling {pooled.pk}"):
        assert fact in comment
    assert "weighted_linear" not in comment
    assert applied.provenance == comment
    assert applied.base_revision.number == 1
    assert applied.applied_by == facilitator
    assessment = applied.assessment
    assert assessment.revision == applied.revision
    assert sorted(assessment.runs.values_list("engine", flat=True)) == ["game", "risk_matrix"]
    assert set(assessment.runs.values_list("state", flat=True)) == {"succeeded"}
    assert AuditEvent.objects.filter(object_type="workshops.pooling", action="apply").count() == 1


def test_apply_pooling_default_request_has_three_engines(workshop, questions, django_capture_on_commit_callbacks):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    # The ARA chunks are queued on commit; capturing the callbacks keeps them from being sent.
    with django_capture_on_commit_callbacks(execute=False):
        applied = services.apply_pooling(pooled, base_revision=1)
    assert sorted(applied.assessment.runs.values_list("engine", flat=True)) == ["ara", "game", "risk_matrix"]


def test_apply_pooling_stale_base_stores_nothing(workshop, questions, revision):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    edited = parse_scenario(json.dumps({**SCENARIO, "title": "Weight exfiltration, edited"}), syntax="json")
    save_revision(revision.scenario, edited, base_revision=1, origin=ScenarioRevision.Origin.EDITOR)

    with pytest.raises(StaleRevisionError):
        services.apply_pooling(pooled, base_revision=1, assessment_request=IN_PROCESS)

    assert revision.scenario.revisions.count() == 2
    pooled.refresh_from_db()
    assert pooled.revision is None
    assert pooled.assessment is None
    assert not Assessment.objects.exists()


def test_apply_pooling_to_newer_latest_revision(workshop, questions, revision):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    edited = parse_scenario(json.dumps({**SCENARIO, "title": "Weight exfiltration, edited"}), syntax="json")
    save_revision(revision.scenario, edited, base_revision=1, origin=ScenarioRevision.Origin.EDITOR)

    applied = services.apply_pooling(pooled, base_revision=2, assessment_request=IN_PROCESS)

    document = revision_document(applied.revision)
    assert applied.revision.number == 3
    assert document.title == "Weight exfiltration, edited"
    assert document.data["attacks"][1]["attempt_probability"] == Decimal("0.15")


def test_apply_pooling_twice_refused(workshop, questions):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    services.apply_pooling(pooled, base_revision=1, assessment_request=IN_PROCESS)
    with pytest.raises(WorkshopError, match=rf"^pooling: pooling {pooled.pk} was already applied as revision 2"):
        services.apply_pooling(pooled, base_revision=2, assessment_request=IN_PROCESS)


def test_apply_pooling_failure_leaves_nothing(workshop, questions, revision):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    with pytest.raises(AssessmentRequestError, match=r"^samples: 5 must be"):
        services.apply_pooling(pooled, base_revision=1, assessment_request=AssessmentRequest(samples=5))
    assert revision.scenario.revisions.count() == 1
    pooled.refresh_from_db()
    assert pooled.revision is None


def test_apply_pooling_missing_outcome_in_latest(workshop, questions, revision):
    round_ = answer_round(workshop, questions)
    pooled = services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    data = json.loads(json.dumps(SCENARIO))
    data["outcomes"] = [outcome for outcome in data["outcomes"] if outcome["id"] != "stolen"]
    for rows in data["probabilities"].values():
        for row in rows.values():
            row["leaked"] = row["leaked"] + row.pop("stolen")
    save_revision(revision.scenario, parse_scenario(json.dumps(data), syntax="json"), base_revision=1,
                  origin=ScenarioRevision.Origin.EDITOR)

    with pytest.raises(WorkshopError, match=r"^outcomes: the outcome 'stolen' is not in the latest revision"):
        services.apply_pooling(pooled, base_revision=2, assessment_request=IN_PROCESS)
    assert revision.scenario.revisions.count() == 2


def test_participant_rows_unchanged_by_pooling(workshop, questions):
    round_ = answer_round(workshop, questions)
    services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)
    assert Participant.objects.filter(workshop=workshop).count() == 3
    assert Judgement.objects.filter(round=round_).count() == 14


@pytest.mark.parametrize(("q1", "q3", "text"), [
    (1, 1, "Unlikely"),
    (1, 3, "Unlikely to Likely"),
    (1.5, 1.5, "between Unlikely and Possible"),
    (0.25, 2, "from between Rare and Unlikely to Possible"),
    (2, 3.5, "from Possible to between Likely and Almost certain"),
])
def test_band_range_names_quartile_bands(q1, q3, text):
    bands = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    assert services.band_range_text(bands, q1, q3) == text
