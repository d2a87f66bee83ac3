"""Workshop exports: judgements as CSV and JSON, the report's consensus and HTML file, and who may download them."""

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from plotly.offline import get_plotlyjs

from riskapp.accounts.models import AuditEvent, Membership, Organisation, Role
from riskapp.assessments.services import AssessmentRequest
from riskapp.workshops import exports, services
from riskapp.workshops.exports import CSV_COLUMNS
from riskapp.workshops.models import Judgement, Participant, Pooling, Round, Workshop
from riskapp.workshops.services import Answer
from tests.workshops.conftest import store_scenario

pytestmark = pytest.mark.django_db

LIKELIHOOD = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
CONSEQUENCE = ["Minor", "Moderate", "Major", "Severe", "Catastrophic"]

# A rationale that a spreadsheet would run as a formula without the guard.
INJECTION = '=HYPERLINK("http://127.0.0.1/", "click")'

# Assessments of the pooled revision without ARA, so that no Celery message is needed here.
IN_PROCESS = AssessmentRequest(engines=("risk_matrix", "game"))

EXPORT_VIEWS = ["export_csv", "export_json", "report", "report_html", "report_pdf"]


@dataclass
class Panel:
    """A two-round workshop: E3 leaves after round 1, and E3 gives no probability in round 1."""

    workshop: Workshop
    questions: dict
    experts: list[Participant]
    first: Round
    second: Round
    pooling: Pooling


def run_panel(workshop, questions, facilitator) -> Panel:
    cell, row, loss = questions["cell"], questions["row"], questions["loss"]
    experts = [services.join_workshop(workshop)[0] for _ in range(3)]

    first = services.open_round(workshop, user=facilitator)
    services.submit_judgements(experts[0], {cell.pk: Answer(likelihood=1, consequence=2),
                                            row.pk: Answer(value=0.1),
                                            loss.pk: Answer(low=10, best=20, high=40, confidence=0.8)})
    services.submit_judgements(experts[1], {cell.pk: Answer(likelihood=2, consequence=2),
                                            row.pk: Answer(value=0.3),
                                            loss.pk: Answer(low=15, best=30, high=50, confidence=0.9)})
    services.submit_judgements(experts[2], {cell.pk: Answer(likelihood=3, consequence=4),
                                            loss.pk: Answer(low=5, best=25, high=100, confidence=0.5)})
    services.close_round(first, user=facilitator)
    services.reveal_round(first, user=facilitator)
    services.leave_workshop(experts[2])

    second = services.open_round(workshop, user=facilitator)
    services.submit_judgements(experts[0], {
        cell.pk: Answer(likelihood=2, consequence=2, rationale=INJECTION),
        row.pk: Answer(value=0.2, rationale="Red-team results, round 2"),
        loss.pk: Answer(low=12, best=25, high=45, confidence=0.8, rationale="Insurance data")})
    services.submit_judgements(experts[1], {
        cell.pk: Answer(likelihood=2, consequence=3, rationale="Incident base rates"),
        row.pk: Answer(value=0.25, rationale="Closer to the panel"),
        loss.pk: Answer(low=15, best=28, high=50, confidence=0.9, rationale="Same sources")})
    services.close_round(second, user=facilitator)
    pooling = services.pool_round(second, method=Pooling.Method.EQUAL_LINEAR, user=facilitator)
    return Panel(workshop, questions, experts, Round.objects.get(pk=first.pk), Round.objects.get(pk=second.pk),
                 pooling)


@pytest.fixture
def panel(workshop, questions, facilitator) -> Panel:
    return run_panel(workshop, questions, facilitator)


def csv_records(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Return the comment lines and the records of a CSV export."""
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines(keepends=True)
    comments = [line.rstrip("\r\n") for line in lines if line.startswith("#")]
    body = "".join(line for line in lines if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    assert reader.fieldnames == CSV_COLUMNS
    return comments, list(reader)


def iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def judgement(panel: Panel, round_: Round, name: str, expert: int) -> Judgement:
    return Judgement.objects.get(round=round_, question=panel.questions[name], participant=panel.experts[expert])


# CSV


def test_csv_rows_in_order(panel):
    comments, rows = csv_records(exports.joined(exports.iter_csv(exports.export_scope(panel.workshop))))

    assert comments == []
    keys = [(row["round_number"], row["question_position"], row["participant"]) for row in rows]
    assert keys == [
        ("1", "1", "E1"), ("1", "1", "E2"), ("1", "1", "E3"),
        ("1", "2", "E1"), ("1", "2", "E2"),
        ("1", "4", "E1"), ("1", "4", "E2"), ("1", "4", "E3"),
        ("2", "1", "E1"), ("2", "1", "E2"),
        ("2", "2", "E1"), ("2", "2", "E2"),
        ("2", "4", "E1"), ("2", "4", "E2"),
    ]


def test_csv_band_row_field_by_field(panel):
    _comments, rows = csv_records(exports.joined(exports.iter_csv(exports.export_scope(panel.workshop))))
    stored = judgement(panel, panel.first, "cell", 2)

    assert rows[2] == {
        "workshop_code": panel.workshop.code,
        "workshop_title": "Insider threat panel",
        "scenario_slug": panel.workshop.revision.scenario.slug,
        "revision_number": "1",
        "round_number": "1",
        "round_state": "revealed",
        "question_position": "1",
        "question_key": "matrix_cell:rating:basic/insider",
        "question_kind": "matrix_cell",
        "question_target": "rating",
        "defense_id": "basic",
        "attack_id": "insider",
        "outcome_id": "",
        "question_text": "Likelihood and consequence of “Recruit an insider” under “Basic security”",
        "participant": "E3",
        "likelihood": "Likely",
        "likelihood_index": "3",
        "consequence": "Catastrophic",
        "consequence_index": "4",
        "value": "",
        "low": "",
        "best": "",
        "high": "",
        "confidence": "",
        "rationale": "",
        "outside_group_iqr": "false",
        "submitted_at": iso(stored.submitted_at),
        "updated_at": iso(stored.updated_at),
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", rows[2]["submitted_at"])


def test_csv_number_rows_field_by_field(panel):
    _comments, rows = csv_records(exports.joined(exports.iter_csv(exports.export_scope(panel.workshop))))
    probability = rows[10]
    interval = rows[12]

    assert (probability["round_number"], probability["question_position"], probability["participant"]) == \
        ("2", "2", "E1")
    assert probability["question_key"] == "probability:outcome_probability:basic/insider/stolen"
    assert (probability["defense_id"], probability["attack_id"], probability["outcome_id"]) == \
        ("basic", "insider", "stolen")
    assert probability["round_state"] == "closed"
    assert probability["value"] == "0.2"
    assert probability["likelihood"] == probability["likelihood_index"] == ""
    assert probability["rationale"] == "Red-team results, round 2"
    # Round 1's probabilities 0.1 and 0.3 have quartiles 0.15 and 0.25, so 0.2 lies inside.
    assert probability["outside_group_iqr"] == "false"

    assert (interval["question_key"], interval["participant"]) == ("interval:defender_loss:stolen", "E1")
    assert [interval[name] for name in ("low", "best", "high", "confidence")] == ["12.0", "25.0", "45.0", "0.8"]
    assert interval["value"] == ""
    assert interval["rationale"] == "Insurance data"


def test_csv_neutralises_formula_rationale(panel):
    _comments, rows = csv_records(exports.joined(exports.iter_csv(exports.export_scope(panel.workshop))))
    band = rows[8]

    assert (band["round_number"], band["participant"]) == ("2", "E1")
    assert band["rationale"] == "'" + INJECTION
    # Round 1's likelihood bands 1, 2, 3 have quartiles 1.5 and 2.5, so band 2 lies inside.
    assert band["outside_group_iqr"] == "false"


def test_csv_outside_group_iqr_true(workshop, questions, facilitator):
    panel = run_panel(workshop, questions, facilitator)
    services.reveal_round(panel.second)
    third = services.open_round(workshop)
    # Round 2's probabilities 0.2 and 0.25 have quartiles 0.2125 and 0.2375.
    services.submit_judgements(panel.experts[0], {questions["row"].pk: Answer(value=0.5, rationale="+1 source")})
    services.close_round(third)

    _comments, rows = csv_records(exports.joined(exports.iter_csv(exports.export_scope(workshop))))

    (last,) = [row for row in rows if row["round_number"] == "3"]
    assert last["outside_group_iqr"] == "true"
    assert last["rationale"] == "'+1 source"


def test_csv_leaves_out_open_round(workshop, questions, facilitator):
    panel = run_panel(workshop, questions, facilitator)
    services.reveal_round(panel.second)
    services.open_round(workshop)
    services.submit_judgements(panel.experts[0], {questions["row"].pk: Answer(value=0.22)})

    comments, rows = csv_records(exports.joined(exports.iter_csv(exports.export_scope(workshop))))

    assert comments == ["# Round 3 is open: its judgements are private until the round closes and are left out "
                        "of this export."]
    assert len(rows) == 14
    assert {row["round_number"] for row in rows} == {"1", "2"}
    assert "0.22" not in {row["value"] for row in rows}


# JSON


def test_json_document_field_by_field(panel):
    document = json.loads(exports.joined(exports.iter_json(exports.export_scope(panel.workshop))))
    workshop = panel.workshop

    assert document["format"] == "riskapp-workshop-export/1"
    assert document["workshop"] == {"code": workshop.code, "title": "Insider threat panel", "instructions": "",
                                    "created_at": iso(workshop.created_at)}
    assert document["scenario"] == {"slug": workshop.revision.scenario.slug, "title": "Weight exfiltration",
                                    "revision": 1, "digest": workshop.revision.digest}
    assert document["omitted"] is None
    assert [question["key"] for question in document["questions"]] == [
        "matrix_cell:rating:basic/insider", "probability:outcome_probability:basic/insider/stolen",
        "probability:attempt_probability:insider", "interval:defender_loss:stolen",
        "interval:attacker_gain:stolen"]
    assert document["questions"][0]["options"] == {"likelihood": LIKELIHOOD, "consequence": CONSEQUENCE}
    assert document["questions"][1]["current_value"] == 0.2

    assert document["rounds"] == [
        {"number": 1, "state": "revealed", "opened_at": iso(panel.first.opened_at),
         "closed_at": iso(panel.first.closed_at), "revealed_at": iso(panel.first.revealed_at)},
        {"number": 2, "state": "closed", "opened_at": iso(panel.second.opened_at),
         "closed_at": iso(panel.second.closed_at), "revealed_at": None},
    ]
    leaver = Participant.objects.get(pk=panel.experts[2].pk)
    assert document["participants"][2] == {"label": "E3", "joined_at": iso(leaver.joined_at),
                                           "left_at": iso(leaver.left_at)}
    assert [participant["left_at"] for participant in document["participants"][:2]] == [None, None]
    for participant in document["participants"]:
        assert set(participant) == {"label", "joined_at", "left_at"}


def test_json_judgements_match_csv(panel):
    scope = exports.export_scope(panel.workshop)
    document = json.loads(exports.joined(exports.iter_json(scope)))
    _comments, rows = csv_records(exports.joined(exports.iter_csv(scope)))

    judgements = document["judgements"]
    assert len(judgements) == len(rows) == 14
    assert judgements[2]["likelihood"] == "Likely"
    assert judgements[2]["likelihood_index"] == 3
    assert judgements[2]["value"] is None
    assert judgements[12]["best"] == 25.0
    assert judgements[12]["confidence"] == 0.8
    # JSON keeps the rationale as written; only the CSV guards it against spreadsheets.
    assert judgements[8]["rationale"] == INJECTION
    assert [list(judgement) for judgement in judgements] == [CSV_COLUMNS] * 14
    for judgement, row in zip(judgements, rows, strict=True):
        assert (judgement["participant"], judgement["submitted_at"]) == (row["participant"], row["submitted_at"])


def test_json_poolings_with_provenance(panel, facilitator):
    services.apply_pooling(panel.pooling, base_revision=1, user=facilitator, assessment_request=IN_PROCESS)
    stored = Pooling.objects.get(pk=panel.pooling.pk)

    document = json.loads(exports.joined(exports.iter_json(exports.export_scope(panel.workshop))))

    (pooling,) = document["poolings"]
    assert pooling["id"] == stored.pk
    assert pooling["round"] == 2
    assert pooling["method"] == "equal_linear"
    assert pooling["method_label"] == "equal-weight linear pool"
    assert pooling["weights"] == {"E1": 0.5, "E2": 0.5}
    assert pooling["values"] == stored.values
    # Equal weights pool round 2's probabilities 0.2 and 0.25 to their mean.
    assert pooling["values"][1]["result"]["value"] == pytest.approx(0.225, abs=1e-15)
    assert pooling["provenance"] == stored.provenance
    assert pooling["provenance"].startswith("Pooled from workshop “Insider threat panel”")
    assert pooling["revision"] == {"number": 2, "digest": stored.revision.digest}
    assert pooling["base_revision"] == 1
    assert pooling["assessment"] == stored.assessment_id
    assert pooling["applied_at"] == iso(stored.applied_at)


def test_json_leaves_out_open_round(workshop, questions, facilitator):
    panel = run_panel(workshop, questions, facilitator)
    services.reveal_round(panel.second)
    services.open_round(workshop)
    services.submit_judgements(panel.experts[0], {questions["row"].pk: Answer(value=0.22)})

    document = json.loads(exports.joined(exports.iter_json(exports.export_scope(workshop))))

    assert document["omitted"] == {"round": 3, "reason": "Round 3 is open: its judgements are private until the "
                                                         "round closes and are left out of this export."}
    assert [round_["state"] for round_ in document["rounds"]] == ["revealed", "revealed", "open"]
    assert {judgement["round_number"] for judgement in document["judgements"]} == {1, 2}
    assert 0.22 not in {judgement["value"] for judgement in document["judgements"]}


def test_json_without_rounds(workshop):
    document = json.loads(exports.joined(exports.iter_json(exports.export_scope(workshop))))

    assert document["judgements"] == []
    assert document["rounds"] == []
    assert document["poolings"] == []


# Report data


def test_report_consensus_by_hand(panel):
    report = exports.build_report(panel.workshop)
    first, second = report.rounds

    assert first.panel == ["E1", "E2", "E3"]
    assert first.answered == ["E1", "E2", "E3"]
    # E3 left after round 1, so round 2's panel is E1 and E2.
    assert second.panel == ["E1", "E2"]

    cell, row, attempt, loss, gain = first.questions
    likelihood, consequence = cell.measures
    # Bands 1, 2, 3: numpy's linear quartiles 1.5 and 2.5; one vote each, so the modal share is 1/3.
    assert (likelihood.median, likelihood.q1, likelihood.q3, likelihood.iqr) == (2, 1.5, 2.5, 1)
    assert likelihood.median_text == "Possible"
    assert likelihood.modal_share == pytest.approx(1 / 3, rel=1e-15)
    assert likelihood.modal_text == "Unlikely, Possible, Likely"
    # Bands 2, 2, 4: quartiles 2 and 3; Tukey fences 0.5 and 4.5, so no outlier.
    assert (consequence.median, consequence.q1, consequence.q3, consequence.outliers) == (2, 2, 3, [])
    assert consequence.modal_share == pytest.approx(2 / 3, rel=1e-15)
    assert consequence.modal_text == "Major"

    (value,) = row.measures
    assert (value.median, value.q1, value.q3) == pytest.approx((0.2, 0.15, 0.25), rel=1e-12)
    assert row.answered == ["E1", "E2"]
    assert row.missing == ["E3"]
    assert attempt.measures == []
    assert attempt.missing == ["E1", "E2", "E3"]

    (best,) = loss.measures
    # Best guesses 20, 30, 25: median 25, quartiles 22.5 and 27.5.
    assert (best.median, best.q1, best.q3, best.iqr) == (25, 22.5, 27.5, 5)
    # Intervals [10, 40], [15, 50], [5, 100]: common part [15, 40] of the range [5, 100].
    assert loss.overlap["all_overlap"] is True
    assert loss.overlap["overlap_share"] == pytest.approx(25 / 95, rel=1e-12)
    assert loss.overlap["median_coverage"] == 1.0
    assert gain.missing == ["E1", "E2", "E3"]


def test_report_marks_leaver_missing(workshop, questions, facilitator):
    experts = [services.join_workshop(workshop)[0] for _ in range(2)]
    first = services.open_round(workshop)
    services.submit_judgements(experts[0], {questions["row"].pk: Answer(value=0.4)})
    services.leave_workshop(experts[1])
    services.close_round(first)

    (summary,) = exports.build_report(workshop).rounds

    assert summary.panel == ["E1", "E2"]
    assert summary.questions[1].missing == ["E2 (left)"]


def test_report_changes_between_rounds(panel):
    report = exports.build_report(panel.workshop)
    changes = {(change.question.position, change.measure): change for change in report.changes}

    assert set(changes) == {(1, "likelihood band"), (1, "consequence band"), (2, "probability"), (4, "best guess")}
    consequence = changes[(1, "consequence band")]
    # Bands 2, 2, 4 then 2, 3: the median band moves from 2 to 3 (an even split goes to the
    # higher band, as the pooled rating does), the IQR of the band indexes from 1 to 0.5.
    assert (consequence.before.median, consequence.after.median) == (2, 3)
    assert consequence.after.median_text == "Severe"
    assert (consequence.median_change, consequence.iqr_change) == (1, -0.5)
    probability = changes[(2, "probability")]
    assert probability.median_change == pytest.approx(0.225 - 0.2, rel=1e-12)
    best = changes[(4, "best guess")]
    assert (best.before.median, best.after.median, best.median_change) == (25, 26.5, 1.5)


def test_report_pooling_summary(panel, facilitator):
    services.apply_pooling(panel.pooling, base_revision=1, user=facilitator, assessment_request=IN_PROCESS)
    stored = Pooling.objects.get(pk=panel.pooling.pk)

    (summary,) = exports.build_report(panel.workshop).poolings

    assert summary.weights == [("E1", 0.5), ("E2", 0.5)]
    slug = panel.workshop.revision.scenario.slug
    assert summary.revision_path == f"/scenarios/{slug}/?revision=2"
    assert summary.assessment_path == f"/assessments/{stored.assessment_id}/"
    results = [entry.result for entry in summary.entries]
    # Band medians of 2, 2 and of 2, 3 (a tie resolves to the higher band).
    assert results[0] == ("likelihood Possible, consequence Severe. Consequence: the weight splits evenly between "
                          "Major and Severe; the higher band is taken, as the cautious choice.")
    assert results[1] == "probability 0.225"
    assert results[2] == "no answers, so nothing was pooled"
    assert results[3].startswith(f"mean {stored.values[3]['result']['mean']:.6g}, median ")


# Report HTML


def test_report_html_offline_with_each_round_chart(panel):
    html = exports.report_html(panel.workshop)

    for number in (1, 2):
        assert f'id="spread-round-{number}"' in html
        data = re.search(rf'<script id="spread-round-{number}-data" type="application/json">(.*?)</script>',
                         html, re.DOTALL)
        assert data is not None
        spread = json.loads(data.group(1))
        assert spread["round"] == number
        assert [len(question["points"]) for question in spread["questions"]] == \
            ([3, 2, 0, 3, 0] if number == 1 else [2, 2, 0, 2, 0])
    # The two inlined scripts are plotly.js and the dashboard's chart code, unchanged but for "</script".
    plotly_js = exports.inline_script(get_plotlyjs())
    spread_js = exports.inline_script(exports._static_text("js/workshop_spread.js"))
    assert html.count(plotly_js) == 1
    assert html.count(spread_js) == 1
    rest = html.replace(plotly_js, "").replace(spread_js, "")
    assert "<script src=" not in rest
    assert "<link" not in rest
    assert re.findall(r"https?://[^\s\"'<>)]+", rest) == []


def test_report_html_anonymous(panel, facilitator):
    html = exports.report_html(panel.workshop)
    report = html[html.index('<article id="workshop-report"'):html.index("</article>")]

    # "facilitator" is also a word of the inlined chart code's comments, so only the report's text is checked.
    assert facilitator.username not in report
    assert "E3" in report
    for participant in Participant.objects.all():
        assert participant.token_digest not in html


def test_report_html_notes_open_round(workshop, questions, facilitator):
    panel = run_panel(workshop, questions, facilitator)
    services.reveal_round(panel.second)
    services.open_round(workshop)

    html = exports.report_html(workshop)

    assert "Round 3 is open: its judgements are private until the round closes" in html
    assert 'id="spread-round-3"' not in html


# Views and access


@pytest.fixture
def other_workshop(db) -> Workshop:
    organisation = Organisation.objects.create(name="Other lab", slug="other-lab")
    revision = store_scenario(organisation)
    return services.open_workshop(revision, title="Other panel", questions=["probability:attempt_probability:insider"])


def signed_in(django_user_model, organisation, role: int) -> Client:
    user = django_user_model.objects.create_user(f"user-{role}", password="password-of-user")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("view", ["export_csv", "export_json", "report", "report_html"])
@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 403), (Role.ANALYST, 403), (Role.FACILITATOR, 200),
                                              (Role.ADMIN, 200)])
def test_view_access_by_role(panel, organisation, django_user_model, view, role, status):
    client = signed_in(django_user_model, organisation, role)

    response = client.get(reverse(f"workshops:{view}", args=[panel.workshop.pk]))

    assert response.status_code == status


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_pdf_view_below_facilitator_403(panel, organisation, django_user_model, role):
    client = signed_in(django_user_model, organisation, role)

    response = client.get(reverse("workshops:report_pdf", args=[panel.workshop.pk]))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("view", EXPORT_VIEWS)
def test_view_other_organisation_404(panel, other_workshop, organisation, django_user_model, view):
    client = signed_in(django_user_model, organisation, Role.ADMIN)

    assert client.get(reverse(f"workshops:{view}", args=[other_workshop.pk])).status_code == 404
    assert client.get(reverse(f"workshops:{view}", args=[999999])).status_code == 404


@pytest.mark.parametrize("view", EXPORT_VIEWS)
def test_view_anonymous_redirected(panel, view):
    url = reverse(f"workshops:{view}", args=[panel.workshop.pk])

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


@pytest.mark.parametrize("view", EXPORT_VIEWS)
def test_view_participant_session_cannot_export(panel, view):
    client = Client()
    joined = client.post(reverse("workshops:join_code", args=[panel.workshop.code]))
    assert joined.status_code == 302
    assert client.get(joined["Location"]).status_code == 200
    url = reverse(f"workshops:{view}", args=[panel.workshop.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


def test_csv_view_download_and_audit(panel, organisation, django_user_model):
    client = signed_in(django_user_model, organisation, Role.FACILITATOR)

    response = client.get(reverse("workshops:export_csv", args=[panel.workshop.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == \
        f'attachment; filename="Insider threat panel ({panel.workshop.code}).csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    _comments, rows = csv_records(text)
    assert len(rows) == 14
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.object_type, event.object_id) == ("workshops.workshop", str(panel.workshop.pk))
    assert event.organisation == organisation
    assert event.summary == (f"Exported the judgements of workshop “Insider threat panel” ({panel.workshop.pk}) "
                             "as CSV")


def test_json_view_download_and_audit(panel, organisation, django_user_model):
    client = signed_in(django_user_model, organisation, Role.ADMIN)

    response = client.get(reverse("workshops:export_json", args=[panel.workshop.pk]))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(b"".join(response.streaming_content))
    assert len(document["judgements"]) == 14
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).summary.endswith("as JSON")


def test_report_html_view_download_and_audit(panel, organisation, django_user_model):
    client = signed_in(django_user_model, organisation, Role.FACILITATOR)

    response = client.get(reverse("workshops:report_html", args=[panel.workshop.pk]),
                          HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode("utf-8")
    assert 'id="spread-round-2"' in html
    assert response["Content-Disposition"].endswith(f'({panel.workshop.code}).html"')
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).summary.endswith("as HTML")


def test_report_page_links_revision_and_assessment(panel, organisation, django_user_model, facilitator):
    services.apply_pooling(panel.pooling, base_revision=1, user=facilitator, assessment_request=IN_PROCESS)
    stored = Pooling.objects.get(pk=panel.pooling.pk)
    client = signed_in(django_user_model, organisation, Role.FACILITATOR)

    page = client.get(reverse("workshops:report", args=[panel.workshop.pk])).content.decode()

    slug = panel.workshop.revision.scenario.slug
    assert f'href="/scenarios/{slug}/?revision=2"' in page
    assert f'href="/assessments/{stored.assessment_id}/"' in page
    assert reverse("workshops:report_pdf", args=[panel.workshop.pk]) in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_pdf_view_without_chromium(panel, organisation, django_user_model, settings, tmp_path):
    settings.RISKAPP_CHROMIUM = str(tmp_path / "missing-chromium")
    client = signed_in(django_user_model, organisation, Role.FACILITATOR)

    response = client.get(reverse("workshops:report_pdf", args=[panel.workshop.pk]))

    assert response.status_code == 503
    page = response.content.decode()
    assert f"Chromium was not found at {tmp_path / 'missing-chromium'}" in page
    assert reverse("workshops:report_html", args=[panel.workshop.pk]) in page
    assert "Content-Disposition" not in response
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_report_agreement_texts(panel):
    first = exports.build_report(panel.workshop).rounds[0]
    cell, _row, _attempt, loss, _gain = first.questions

    assert [text for _measure, text in cell.agreement_texts] == [
        "modal share 33% (Unlikely, Possible, Likely)", "modal share 67% (Major)"]
    # Likelihood bands 1, 2, 3: quartiles 1.5 and 2.5 lie between bands, each named by its neighbours.
    assert cell.measures[0].quartiles_text == "from between Unlikely and Possible to between Possible and Likely"
    # Consequence bands 2, 2, 4: quartiles 2 and 3 are whole bands, so the range is named by their labels.
    assert cell.measures[1].quartiles_text == "Major to Severe"
    assert loss.agreement_texts[0][1] == (
        "all intervals overlap, and their common part is 26% of the range of all intervals; "
        "100% of the intervals contain the median best guess")


def test_report_agreement_disjoint_intervals(workshop, questions):
    experts = [services.join_workshop(workshop)[0] for _ in range(2)]
    first = services.open_round(workshop)
    services.submit_judgements(experts[0], {questions["loss"].pk: Answer(low=1, best=2, high=3, confidence=0.9)})
    services.submit_judgements(experts[1], {questions["loss"].pk: Answer(low=15, best=20, high=30, confidence=0.9)})
    services.close_round(first)

    loss = exports.build_report(workshop).rounds[0].questions[3]

    # Best guesses 2 and 20 have the median 11, which neither [1, 3] nor [15, 30] contains.
    assert loss.agreement_texts[0][1] == ("no value lies in every interval; 0% of the intervals contain the "
                                          "median best guess")


@pytest.mark.parametrize(("value", "signed", "text"), [(0.5, True, "+0.5"), (-0.5, True, "-0.5"),
                                                        (0.0, True, "0"), (-0.0, True, "0"),
                                                        (0.22500000000000003, False, "0.225"),
                                                        (123456.0, False, "123456"),
                                                        (1234567.0, False, "1.23457e+06")])
def test_number_text_cases(value, signed, text):
    assert exports.number_text(value, signed=signed) == text
