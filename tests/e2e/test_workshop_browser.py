"""A facilitator and three anonymous experts run a two-round workshop in four browser contexts.

Round 1: everyone answers, the facilitator closes and reveals, the experts see the spread.
Round 2: one expert moves outside the group's interquartile range and must give a rationale.
The facilitator pools round 2 into a new scenario revision, whose assessment with all three
engines completes on a real Celery worker.
"""

import json
import re
from decimal import Decimal

import pytest

from riskapp.accounts.models import Membership, Organisation, Role
from riskapp.assessments.models import AssessmentRun
from riskapp.scenarios.models import ScenarioRevision
from riskapp.scenarios.selectors import revision_document
from riskapp.workshops.models import Judgement, Pooling, Workshop
from tests.conftest import LOCAL_HOSTS, sign_in_browser
from tests.workers import wait_for_run
from tests.workshops.conftest import QUESTION_KEYS, store_scenario

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20_000

# Round 1 answers, chosen so that every value is distinctive on a page: (cell bands, stolen
# probability, attempt probability, loss interval, gain interval). Intervals are (low, high, best, %).
ROUND_1 = [
    ((2, 2), "0.1111", "0.1313", ("10", "50", "20", "90"), ("11", "51", "21", "90")),
    ((3, 3), "0.2222", "0.2323", ("10", "50", "30", "90"), ("11", "51", "31", "90")),
    ((3, 3), "0.4444", "0.3333", ("10", "50", "40", "90"), ("11", "51", "41", "90")),
]
# Round 2: E1 and E2 revise inside the revealed interquartile ranges; E3 moves the stolen
# probability to 0.6, above the range [0.1667, 0.3333] of round 1, and must explain why.
ROUND_2 = [
    ((3, 3), "0.2", "0.2323", ("10", "50", "30", "100"), ("10", "50", "30", "100")),
    ((3, 3), "0.25", "0.2323", ("10", "50", "30", "100"), ("10", "50", "30", "100")),
    ((3, 3), "0.6", "0.2323", ("10", "50", "30", "100"), ("10", "50", "30", "100")),
]


def new_context(browser, console_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")

    def guard(route):
        host = re.match(r"^[a-z]+://([^/:]+)", route.request.url)
        if route.request.url.startswith(("data:", "blob:")) or (host and host.group(1) in LOCAL_HOSTS):
            route.continue_()
        else:
            console_errors.append(f"outside request {route.request.url}")
            route.abort()

    context.route("**/*", guard)
    return context


def watch(page, console_errors):
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    return page


def fill_answers(page, questions, answers, rationale=None):
    (likelihood, consequence), stolen, attempt, loss, gain = answers
    page.select_option(f"select[name=q{questions['cell']}-likelihood]", str(likelihood))
    page.select_option(f"select[name=q{questions['cell']}-consequence]", str(consequence))
    page.fill(f"input[name=q{questions['row']}-value]", stolen)
    page.fill(f"input[name=q{questions['attempt']}-value]", attempt)
    for name, values in (("loss", loss), ("gain", gain)):
        for part, value in zip(("low", "high", "best", "confidence"), values, strict=True):
            page.fill(f"input[name=q{questions[name]}-{part}]", value)
    if rationale is not None:
        page.fill(f"textarea[name=q{questions['row']}-rationale]", rationale)
    page.click("#submit-answers")


def test_workshop_in_browser(live_server, browser, django_user_model, start_worker):
    worker = start_worker(concurrency=2)
    organisation = Organisation.objects.create(name="Lab", slug="lab")
    facilitator = django_user_model.objects.create_user("avery.host", password="avery-password")
    Membership.objects.create(user=facilitator, organisation=organisation, role=Role.FACILITATOR)
    revision = store_scenario(organisation)
    errors: list[str] = []

    # The facilitator opens a workshop from the scenario page.
    host_context = new_context(browser, errors)
    sign_in_browser(host_context, live_server.url, facilitator)
    host = watch(host_context.new_page(), errors)
    host.goto(live_server.url + revision.scenario.get_absolute_url())
    host.click("#open-workshop")
    host.fill("input[name=title]", "Insider threat panel")
    for key in QUESTION_KEYS:
        host.check(f"input[name=questions][value='{key}']")
    host.click("#workshop-form button[type=submit]")
    host.wait_for_url(re.compile(r"/workshops/\d+/$"))
    workshop = Workshop.objects.get()
    code = host.locator("#join-code").inner_text().strip()
    assert code == workshop.code
    by_key = {question.key: question.pk for question in workshop.questions.all()}
    questions = dict(zip(("cell", "row", "attempt", "loss", "gain"), (by_key[key] for key in QUESTION_KEYS),
                         strict=True))

    # Three experts join by code in their own contexts, without accounts.
    experts = []
    for index in range(3):
        context = new_context(browser, errors)
        page = watch(context.new_page(), errors)
        page.goto(live_server.url + "/workshops/join/")
        page.fill("input[name=code]", code.lower())
        page.click("#join-form button[type=submit]")
        page.click("#join-confirm button[type=submit]")
        page.wait_for_url(re.compile(rf"/workshops/p/{code}/$"))
        assert page.locator("#own-label").inner_text() == f"E{index + 1}"
        assert "avery.host" not in page.content()
        experts.append(page)
    host.locator("#participants .participant").nth(2).wait_for(timeout=TIMEOUT)

    # Round 1: the experts' pages follow the round by polling and show the form.
    host.click("#open-round")
    for page, answers in zip(experts, ROUND_1, strict=True):
        page.locator("#answer-form").wait_for(timeout=TIMEOUT)
        fill_answers(page, questions, answers)
        page.locator(".message-success").wait_for(timeout=TIMEOUT)
        assert "Stored 5 answers for round 1." in page.locator(".message-success").inner_text()
        low, high, best, confidence = answers[3]
        assert page.locator(f'#own-answers tr[data-question="{questions["loss"]}"] .own-answer').inner_text() == \
            f"[{low}, {high}], best guess {best}, {confidence}%"
    host.locator(f'#progress tr[data-question="{questions["row"]}"] .answered-count').filter(
        has_text="3 / 3").wait_for(timeout=TIMEOUT)

    # Before the reveal no page shows another expert's values, neither the facilitator's nor the experts'.
    values = [answers[1] for answers in ROUND_1]
    dashboard_json = host.request.get(f"{live_server.url}/workshops/{workshop.pk}/data/").text()
    for value in values:
        assert value not in host.content()
        assert value not in dashboard_json
    assert host.locator(f'#progress tr[data-question="{questions["row"]}"] .answered-labels').inner_text() == \
        "E1, E2, E3"
    for page, own in zip(experts, values, strict=True):
        page.reload()
        content = page.content()
        assert own in content
        for other in values:
            if other != own:
                assert other not in content

    # Closing freezes the round: the facilitator sees its values at once, the experts after the reveal.
    host.click("#close-round")
    host.locator("#revealed .js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    assert host.locator("#closed-note").inner_text() == (
        "Round 1 is closed: you see its values, and the experts see them once you reveal the round.")
    for page in experts:
        # The expert's page reloads itself when it sees the round change; a reload by the test
        # at the same moment would abort one of the two navigations.
        page.locator('#round-state[data-state="closed"]').wait_for(timeout=TIMEOUT)
        assert page.locator("#spread").count() == 0
    host.click("#reveal-round")
    host.locator("#revealed .js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    assert host.locator("#closed-note").is_hidden()
    assert "E3" in host.locator("#revealed").inner_text()
    # Bands (2, 2), (3, 3), (3, 3): the median band is 3 on both axes, named by its label. The
    # lower quartile 2.5 lies between two bands, which name it.
    cell_summary = host.locator(f'#revealed .spread-question[data-question="{questions["cell"]}"] .consensus')
    assert ("likelihood: median Likely · interquartile range from between Possible and Likely to Likely"
            in cell_summary.inner_text())
    assert ("consequence: median Severe · interquartile range from between Major and Severe to Severe"
            in cell_summary.inner_text())
    for page in experts:
        page.locator("#spread .js-plotly-plot").first.wait_for(timeout=TIMEOUT)
        # The spread shows the group's answers without the other experts' labels.
        spread_text = page.locator("#spread").inner_text()
        assert [label for label in ("E1", "E2", "E3") if label in spread_text] == []

    # Round 2: E3 moves outside the interquartile range and is asked for a rationale.
    host.click("#open-round")
    for page, answers in zip(experts[:2], ROUND_2[:2], strict=True):
        page.locator("#answer-form").wait_for(timeout=TIMEOUT)
        fill_answers(page, questions, answers)
        page.locator(".message-success").wait_for(timeout=TIMEOUT)
    outlier = experts[2]
    outlier.locator("#answer-form").wait_for(timeout=TIMEOUT)
    fill_answers(outlier, questions, ROUND_2[2])
    outlier.locator("#answer-form .errorlist").filter(has_text="rationale").wait_for(timeout=TIMEOUT)
    fill_answers(outlier, questions, ROUND_2[2], rationale="New insider-risk evidence from red-team exercises.")
    outlier.locator(".message-success").wait_for(timeout=TIMEOUT)
    judgement = Judgement.objects.get(round__number=2, participant__label="E3", question_id=questions["row"])
    assert judgement.outside_group_iqr
    assert judgement.rationale.startswith("New insider-risk")

    # The facilitator closes round 2, pools it and creates a revision.
    host.locator(f'#progress tr[data-question="{questions["row"]}"] .answered-count').filter(
        has_text="3 / 3").wait_for(timeout=TIMEOUT)
    host.click("#close-round")
    host.click("#pool-round-2")
    host.check("input[name=method][value=equal_linear]")
    host.click("#pool-form button[type=submit]")
    host.wait_for_url(re.compile(r"/poolings/\d+/$"))
    assert "Equal-weight linear pool".lower() in host.locator("#pooling-method").inner_text().lower()
    host.click("#apply-form button[type=submit]")
    host.wait_for_url(re.compile(r"/assessments/\d+/$"))

    new_revision = ScenarioRevision.objects.get(scenario=revision.scenario, number=2)
    pooling_row = Pooling.objects.get()
    assert new_revision.origin == ScenarioRevision.Origin.WORKSHOP
    assert pooling_row.revision == new_revision
    for fact in (f"workshop “Insider threat panel” (id {workshop.pk}, code {code})", "round 2",
                 "method: equal-weight linear pool,", "weights E1 0.3333, E2 0.3333, E3 0.3333"):
        assert fact in new_revision.comment
    data = revision_document(new_revision).data
    assert data["risk_matrix"]["ratings"]["basic"]["insider"] == {"likelihood": "Likely", "consequence": "Severe"}
    # (0.2 + 0.25 + 0.6) / 3 = 0.35; kept and leaked share the rest 0.65 as 5 : 3.
    row = data["probabilities"]["basic"]["insider"]
    assert row == {"kept": Decimal("0.40625"), "leaked": Decimal("0.24375"), "stolen": Decimal("0.35")}
    assert sum(row.values()) == 1
    assert data["attacks"][1]["attempt_probability"] == Decimal("0.2323")
    # Each interval (10, 30, 50) with full confidence has mean 0.5·20 + 0.5·40 = 30.
    assert data["outcomes"][2]["defender_loss"] == Decimal(30)
    gain = [[str(x), str(f)] for x, f in data["outcomes"][2]["attacker_gain"]["piecewise_cdf"]]
    assert gain == [["6", "0"], ["10", "0"], ["30", "0.5"], ["50", "1"], ["54", "1"]]

    # The assessment of the new revision completes with all three engines.
    assessment = pooling_row.assessment
    assert assessment.revision == new_revision
    ara = assessment.runs.get(engine="ara")
    wait_for_run(ara.pk, workers=[worker])
    states = dict(assessment.runs.values_list("engine", "state"))
    assert states == {"risk_matrix": AssessmentRun.State.SUCCEEDED, "game": AssessmentRun.State.SUCCEEDED,
                      "ara": AssessmentRun.State.SUCCEEDED}
    host.locator(f'tr[data-run="{ara.pk}"] .run-state').filter(has_text="succeeded").wait_for(timeout=60_000)

    # The rationale page answered 400 on purpose; Chromium logs every 4xx document as an error.
    assert [error for error in errors if "status of 400" not in error] == []
    assert json.loads(dashboard_json)["revealed"] is None


def test_spread_chart_clamps_probability_axis(live_server, browser, django_user_model):
    from riskapp.workshops import services
    from riskapp.workshops.services import Answer

    organisation = Organisation.objects.create(name="Lab", slug="lab")
    facilitator = django_user_model.objects.create_user("avery.host", password="avery-password")
    Membership.objects.create(user=facilitator, organisation=organisation, role=Role.FACILITATOR)
    workshop = services.open_workshop(store_scenario(organisation), title="Insider threat panel",
                                      questions=QUESTION_KEYS, user=facilitator)
    by_key = {question.key: question.pk for question in workshop.questions.all()}
    row, attempt = by_key[QUESTION_KEYS[1]], by_key[QUESTION_KEYS[2]]
    expert, _token = services.join_workshop(workshop)
    round_ = services.open_round(workshop)
    # One answer each, near either end of [0, 1]. A single answer gets a margin of a tenth of its
    # size, at least 0.05: 0.02 ± 0.05 and 0.98 ± 0.098, each cut at the end it crosses.
    services.submit_judgements(expert, {row: Answer(value=0.02), attempt: Answer(value=0.98)})
    services.close_round(round_)
    services.reveal_round(round_)
    errors: list[str] = []

    context = new_context(browser, errors)
    sign_in_browser(context, live_server.url, facilitator)
    host = watch(context.new_page(), errors)
    host.goto(live_server.url + workshop.get_absolute_url())

    def axis_range(question_id):
        selector = f'#revealed .spread-question[data-question="{question_id}"] .js-plotly-plot'
        host.locator(selector).wait_for(timeout=TIMEOUT)
        return host.evaluate(f"document.querySelector('{selector}').layout.xaxis.range")

    low, high = axis_range(row)
    assert low == 0
    assert high == pytest.approx(0.07, abs=1e-12)
    low, high = axis_range(attempt)
    assert low == pytest.approx(0.882, abs=1e-12)
    assert high == 1
    assert errors == []
    context.close()
