"""The scenario editor in a real headless Chromium: a scenario built from nothing, edited, diffed."""

import json
import re
from decimal import Decimal

import pytest

from riskapp.catalog.models import Measure
from riskapp.catalog.services import load_framework_file
from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario
from riskapp.scenarios.models import Scenario, ScenarioRevision
from tests.workers import PROJECT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"

PASTE = """(text) => {
    const cell = document.activeElement;
    const data = new DataTransfer();
    data.setData("text/plain", text);
    cell.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def type_into(page, selector, text):
    """Focus a field and type into it with the keyboard, replacing what it held."""
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def type_row(page, kind, index, values):
    """Type the given fields of one defense, attack or outcome, moving between them with Tab."""
    page.locator(f'[data-key="{kind}[{index}].id"]').focus()
    for position, value in enumerate(values):
        if position:
            page.keyboard.press("Tab")
        if value is not None:
            page.keyboard.type(value)


def add_row(page, kind):
    page.locator(f'[data-key="{kind}-add"]').focus()
    page.keyboard.press("Enter")


def test_build_edit_and_diff_scenario(live_server, page, page_record, member):
    page.goto(live_server.url + "/scenarios/")
    page.get_by_role("link", name="New scenario").click()
    page.wait_for_url(re.compile(r"/scenarios/editor/new/$"))

    type_into(page, '[data-key="title"]', "Weight theft by a state-backed actor")
    type_row(page, "defenses", 0, ["asl2", "ASL-2 security", "1.0"])
    add_row(page, "defenses")
    type_row(page, "defenses", 1, ["asl3", "ASL-3 security", "4"])
    type_row(page, "attacks", 0, ["none", "No attack"])
    add_row(page, "attacks")
    # The attack's fields in Tab order: id, name, kind of cost, cost, attempt probability.
    type_row(page, "attacks", 1, ["insider", "Recruit an insider", None, "2.5", "0.05"])
    type_row(page, "outcomes", 0, ["kept", "Weights kept", "0", None, "0"])
    type_row(page, "outcomes", 1, ["stolen", "Weights stolen", "-100"])
    page.locator('[data-key="outcomes[1].attacker_gain.kind"]').select_option("uniform")
    type_into(page, '[data-key="outcomes[1].attacker_gain.uniform[0]"]', "20")
    page.keyboard.press("Tab")
    page.keyboard.type("80")

    # A block copied from a spreadsheet: one line per (defense, attack), one column per outcome.
    page.locator('#probability-grid .ed-cell[data-row="0"][data-column="0"]').focus()
    page.evaluate(PASTE, "1\t0\n0.7\t0.3\n1\t0\n0.95\t0.06\n")
    assert page.locator('#probability-grid .ed-cell[data-row="3"][data-column="1"]').input_value() == "0.06"
    assert page.locator("#probability-grid tr.ed-bad-sum .ed-sum").all_inner_texts() == ["1.01"]
    expect_preview = page.locator('[data-preview="outcomes[1].attacker_gain"] figcaption')
    expect_preview.wait_for()
    assert expect_preview.inner_text().startswith("mean 50")

    page.locator("#id_comment").fill("First draft")
    page.locator("#editor-save").click()
    page.wait_for_selector("#editor-errors li")
    summary = page.locator("#editor-errors li").all_inner_texts()
    row_message = ("probabilities.asl3.insider: 1.01 is the sum of this row; p(s | d, a) must sum to 1 within "
                   "1e-09")
    loss_message = "outcomes[1].defender_loss: -100 is negative; losses must be >= 0"
    assert summary == [loss_message, row_message]
    row_slot = page.locator('#probability-grid tr[data-path="probabilities.asl3.insider"] + tr .ed-error')
    assert row_slot.inner_text() == row_message
    loss_field = page.locator('[data-key="outcomes[1].loss"]')
    assert loss_field.get_attribute("aria-invalid") == "true"
    assert page.locator('td[data-path="outcomes[1].defender_loss"] .ed-error').inner_text() == loss_message
    assert Scenario.objects.count() == 0

    type_into(page, '[data-key="outcomes[1].loss"]', "100")
    type_into(page, '#probability-grid .ed-cell[data-row="3"][data-column="1"]', "0.05")
    page.wait_for_function("document.getElementById('editor-status').textContent === 'No errors.'")
    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(r"/scenarios/weight-theft-by-a-state-backed-actor/\?revision=1$"))
    assert "Saved “Weight theft by a state-backed actor” as revision 1." in page.locator(".messages").inner_text()

    scenario = Scenario.objects.get()
    first = scenario.revisions.get()
    assert (first.origin, first.author, first.comment) == (ScenarioRevision.Origin.EDITOR, member, "First draft")
    data = parse_scenario(first.document, syntax="json").data
    assert json.loads(first.document)["probabilities"]["asl3"]["insider"] == {"kept": 0.95, "stolen": 0.05}
    assert [str(d["cost"]) for d in data["defenses"]] == ["1.0", "4"]
    assert data["outcomes"][1]["attacker_gain"] == {"uniform": [20, 80]}
    assert str(data["attacks"][1]["attempt_probability"]) == "0.05"

    page.locator("#edit-scenario").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    type_into(page, '[data-key="defenses[1].cost"]', "4.5")
    page.locator("#id_comment").fill("Dearer ASL-3")
    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(r"\?revision=2$"))
    assert scenario.revisions.get(number=2).comment == "Dearer ASL-3"

    page.get_by_role("link", name="diff with previous").first.click()
    page.wait_for_url(re.compile(r"/diff/\?from=1&to=2$"))
    cells = page.locator("#diff-numbers tbody td").all_inner_texts()
    assert cells == ["defense ASL-3 security: cost", "defenses.asl3.cost", "4", "4.5"]

    # The rejected save is the one 400 response, which Chromium also logs to the console.
    assert page_record.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    assert page_record.outside_requests == []
    assert page_record.failed_responses == [f"400 {live_server.url}/scenarios/editor/new/"]


def large_scenario(defenses=10, attacks=10, outcomes=5):
    """A scenario with every probability row (0.2, 0.2, 0.2, 0.2, 0.2)."""
    data = {
        "format": "riskapp-scenario/1",
        "title": "Ten defenses against ten attacks",
        "defenses": [{"id": f"d{i}", "name": f"Defense {i}"} for i in range(defenses)],
        "attacks": [{"id": f"a{j}", "name": f"Attack {j}"} for j in range(attacks)],
        "outcomes": [{"id": f"s{k}", "name": f"Outcome {k}", "defender_loss": k, "attacker_gain": k}
                     for k in range(outcomes)],
        "probabilities": {f"d{i}": {f"a{j}": {f"s{k}": 0.2 for k in range(outcomes)} for j in range(attacks)}
                          for i in range(defenses)},
    }
    return services.import_scenario(parse_scenario(json.dumps(data), syntax="json"))


def test_large_grid_paste(live_server, page, page_record):
    revision = large_scenario()
    page.goto(live_server.url + f"/scenarios/{revision.scenario.slug}/edit/")

    assert page.locator("#probability-grid .ed-cell").count() == 500
    assert page.locator("#probability-grid tbody tr[data-path]").count() == 100

    # Row r gets (0.1, 0.2, 0.3, 0.4, 0) when r is even and (0, 0, 0, 0, 1) when odd.
    lines = ["0.1\t0.2\t0.3\t0.4\t0" if r % 2 == 0 else "0\t0\t0\t0\t1" for r in range(100)]
    page.locator('#probability-grid .ed-cell[data-row="0"][data-column="0"]').focus()
    page.evaluate(PASTE, "\r\n".join(lines) + "\r\n")
    assert page.locator("#editor-status").inner_text() == "Pasted 100 rows."
    assert page.locator('#probability-grid .ed-cell[data-row="99"][data-column="4"]').input_value() == "1"
    assert page.locator("#probability-grid tr.ed-bad-sum").count() == 0

    # Arrow keys and Enter move like a spreadsheet; a comma-separated block pastes too.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.column]") == ["2", "0"]
    page.evaluate(PASTE, "0.5,0.5,0,0,0")
    assert page.locator('#probability-grid .ed-cell[data-row="2"][data-column="1"]').input_value() == "0.5"

    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(r"\?revision=2$"))
    saved = json.loads(revision.scenario.revisions.get(number=2).document)["probabilities"]
    assert saved["d0"]["a0"] == {"s0": 0.1, "s1": 0.2, "s2": 0.3, "s3": 0.4, "s4": 0}
    assert saved["d0"]["a1"] == {"s0": 0, "s1": 0, "s2": 0, "s3": 0, "s4": 1}
    assert saved["d0"]["a2"] == {"s0": 0.5, "s1": 0.5, "s2": 0, "s3": 0, "s4": 0}
    assert saved["d9"]["a9"] == {"s0": 0, "s1": 0, "s2": 0, "s3": 0, "s4": 1}
    assert page_record.console_errors == []
    assert page_record.failed_responses == []


def test_unchanged_example_and_measure_picker(live_server, page, page_record):
    revision = services.import_scenario(services.parse_upload(EXAMPLE.read_bytes(), EXAMPLE.name))
    edit_url = live_server.url + f"/scenarios/{revision.scenario.slug}/edit/"

    # Opening and saving writes back every field and number as the file had it.
    page.goto(edit_url)
    page.wait_for_function("document.getElementById('editor-status').textContent === 'No errors.'")
    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(rf"/scenarios/{revision.scenario.slug}/$"))
    assert "The scenario is identical to revision 1, so no new revision was stored." in page.locator(
        ".messages").inner_text()

    # A transactional test starts with empty tables, so the catalog's framework is loaded here.
    load_framework_file(PROJECT / "riskapp" / "catalog" / "data" / "anthropic-rsp-1.0.yaml")
    measure = Measure.objects.select_related("level").get(code="asl3-containment-weight-security")
    page.goto(edit_url)
    type_into(page, '[data-key="outcomes[0].loss"]', "none")
    page.wait_for_function("document.getElementById('editor-status').textContent === '1 error to fix before saving.'")
    text_message = 'outcomes[0].defender_loss: "none" is text; write a number'
    assert page.locator('td[data-path="outcomes[0].defender_loss"] .ed-error').inner_text() == text_message
    assert page.locator("#editor-errors li").all_inner_texts() == [text_message]
    type_into(page, '[data-key="outcomes[0].loss"]', "0")
    page.wait_for_function("document.getElementById('editor-status').textContent === 'No errors.'")
    assert page.locator("#editor-errors").is_hidden()

    page.locator('[data-key="defenses[1].measures-search"]').fill(f"{measure.level.code} {measure.code}")
    page.locator(f'.ed-measure:has(code:text-is("{measure.measure_id}"))').click()
    assert page.locator('td[data-path="defenses[1].measures"] .ed-chips code').all_inner_texts() == [
        measure.measure_id]
    page.locator('[data-key="attacks[1].cost.kind"]').select_option("pert")
    assert page.locator('[data-key="attacks[1].cost.pert[0]"]').input_value() == "1"
    type_into(page, '[data-key="attacks[1].cost.pert[1]"]', "2")
    type_into(page, '[data-key="attacks[1].cost.pert[2]"]', "7")
    caption = page.locator('[data-preview="attacks[1].cost"] figcaption')
    caption.wait_for()
    assert caption.inner_text().startswith("mean 2.667")
    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(r"\?revision=2$"))

    data = parse_scenario(revision.scenario.revisions.get(number=2).document, syntax="json").data
    assert data["defenses"][1]["measures"] == [measure.measure_id]
    assert data["attacks"][1]["cost"] == {"pert": [1, 2, 7]}
    assert page_record.console_errors == []
    assert page_record.failed_responses == []


def test_pooled_distribution_survives_an_edit(live_server, page, page_record):
    data = json.loads(EXAMPLE.read_text())
    data["outcomes"][0]["attacker_gain"] = "POINTS"
    # Written as text so that 0.70 keeps its trailing zero, as a scenario file may.
    text = json.dumps(data).replace('"POINTS"', '{"piecewise_cdf": [[0, 0], [10, 0.5], [10, 0.70], [40, 1]]}')
    revision = services.import_scenario(parse_scenario(text, syntax="json"))
    edit_url = live_server.url + f"/scenarios/{revision.scenario.slug}/edit/"

    # Saving without a change stores nothing: the points come back exactly as written.
    page.goto(edit_url)
    page.wait_for_function("document.getElementById('editor-status').textContent === 'No errors.'")
    points = page.locator('[data-key="outcomes[0].attacker_gain.piecewise_cdf"]')
    assert points.input_value() == "0 0\n10 0.5\n10 0.70\n40 1"
    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(rf"/scenarios/{revision.scenario.slug}/$"))
    assert "no new revision was stored" in page.locator(".messages").inner_text()

    # A decreasing F is refused with the import's message, then a corrected list is saved.
    page.goto(edit_url)
    page.wait_for_function("document.getElementById('editor-status').textContent === 'No errors.'")
    type_into(page, '[data-key="outcomes[0].attacker_gain.piecewise_cdf"]', "0 0\n20 0.6\n30 0.4\n40 1")
    page.wait_for_function("document.getElementById('editor-status').textContent === '1 error to fix before saving.'")
    message = page.locator("#editor-errors li").inner_text()
    assert message.startswith("outcomes[0].attacker_gain.piecewise_cdf[2][1]: 0.4"), message
    type_into(page, '[data-key="outcomes[0].attacker_gain.piecewise_cdf"]', "0 0\n20 0.6\n40 1")
    caption = page.locator('[data-preview="outcomes[0].attacker_gain"] figcaption')
    caption.wait_for()
    assert caption.inner_text().startswith("mean 18")
    page.locator("#editor-save").click()
    page.wait_for_url(re.compile(r"\?revision=2$"))

    saved = parse_scenario(revision.scenario.revisions.get(number=2).document, syntax="json").data
    assert saved["outcomes"][0]["attacker_gain"] == {"piecewise_cdf": [[0, 0], [20, Decimal("0.6")], [40, 1]]}
    assert page_record.console_errors == []
    assert page_record.failed_responses == []


def test_probability_labels_follow_typed_names_and_ids(live_server, page, page_record):
    revision = services.import_scenario(services.parse_upload(EXAMPLE.read_bytes(), EXAMPLE.name))
    page.goto(live_server.url + f"/scenarios/{revision.scenario.slug}/edit/")
    # Row 3 is (asl3, insider), and column 1 is the outcome "stolen".
    cell = page.locator('#probability-grid .ed-cell[data-row="3"][data-column="1"]')
    fill = page.locator('[data-key="fill-3"]')
    assert cell.get_attribute("aria-label") == "p(Weights stolen | ASL-3 security, Recruit an insider)"

    type_into(page, '[data-key="outcomes[1].name"]', "Catastrophe")
    assert cell.get_attribute("aria-label") == "p(Catastrophe | ASL-3 security, Recruit an insider)"

    # An empty name falls back to the id, and an empty id as well to the noun and number.
    type_into(page, '[data-key="attacks[1].name"]', "")
    page.keyboard.press("Backspace")
    assert cell.get_attribute("aria-label") == "p(Catastrophe | ASL-3 security, insider)"
    type_into(page, '[data-key="defenses[1].name"]', "")
    page.keyboard.press("Backspace")
    type_into(page, '[data-key="defenses[1].id"]', "")
    page.keyboard.press("Backspace")
    assert cell.get_attribute("aria-label") == "p(Catastrophe | defense 2, insider)"
    assert fill.get_attribute("aria-label") == ("Fill the empty cells of the row defense 2, insider so that it "
                                                "sums to 1")

    type_into(page, '[data-key="defenses[1].id"]', "asl4")
    assert cell.get_attribute("aria-label") == "p(Catastrophe | asl4, insider)"
    assert fill.get_attribute("aria-label") == "Fill the empty cells of the row asl4, insider so that it sums to 1"
    assert page_record.console_errors == []


def test_reopened_version_marks_fields_of_newer_revision(live_server, page, page_record):
    revision = services.import_scenario(services.parse_upload(EXAMPLE.read_bytes(), EXAMPLE.name))
    scenario = revision.scenario
    page.goto(live_server.url + f"/scenarios/{scenario.slug}/edit/")
    page.wait_for_function("document.getElementById('editor-status').textContent === 'No errors.'")

    # Another analyst saves revision 2 while this editor is open on revision 1.
    data = json.loads(EXAMPLE.read_text())
    data["defenses"][1]["cost"] = 1836
    services.import_scenario(parse_scenario(json.dumps(data), syntax="json"), scenario=scenario)

    type_into(page, '[data-key="defenses[1].cost"]', "15")
    page.locator("#editor-save").click()
    page.wait_for_selector("#reopen-form")
    page.locator("#reopen-form button").click()
    page.wait_for_selector("#editor-overwritten")

    assert page.locator("#editor-overwritten p").inner_text() == (
        "Revision 2 changed these fields since you started; saving keeps your values:")
    assert page.locator("#editor-overwritten li").all_inner_texts() == ["defenses[1].cost 15 (theirs 1836)"]
    marker = page.locator('td[data-path="defenses[1].cost"] .ed-theirs')
    assert marker.inner_text() == "Revision 2 has 1836; saving replaces it with your value."
    assert marker.is_visible()
    cost = page.locator('[data-key="defenses[1].cost"]')
    assert cost.input_value() == "15"
    assert marker.get_attribute("id") in cost.get_attribute("aria-describedby").split()
    assert page.locator(".ed-theirs").count() == 1
    assert scenario.revisions.count() == 2
