"""The revision links of the scenario page, followed in a real browser."""

import copy
import json
import re
from pathlib import Path

import pytest

from riskapp.scenarios import services
from riskapp.scenarios.format import parse_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = json.loads((Path(__file__).resolve().parent / "data" / "weight_theft.json").read_text())


@pytest.fixture
def scenario():
    """Two revisions: the example, then ASL-3 at a cost of 4.25."""
    first = services.import_scenario(parse_scenario(json.dumps(EXAMPLE), syntax="json"))
    data = copy.deepcopy(EXAMPLE)
    data["defenses"][1]["cost"] = 4.25
    services.import_scenario(parse_scenario(json.dumps(data), syntax="json"), scenario=first.scenario)
    return first.scenario


def test_diff_then_restore_in_browser(live_server, page, page_record, scenario):
    page.goto(live_server.url + scenario.get_absolute_url())

    page.get_by_role("link", name="diff with previous").click()
    page.wait_for_url(re.compile(r"/diff/\?from=1&to=2$"))
    cells = page.locator("#diff-numbers tbody td").all_inner_texts()
    assert cells == ["defense ASL-3 security: cost", "defenses.asl3.cost", "4.0", "4.25"]

    page.goto(live_server.url + scenario.get_absolute_url())
    page.locator(".restore-form button").click()
    page.wait_for_url(re.compile(rf"/scenarios/{scenario.slug}/$"))
    assert "Restored revision 1 as revision 3." in page.locator(".messages").inner_text()

    restored = scenario.revisions.get(number=3)
    assert restored.document == scenario.revisions.get(number=1).document
    assert page_record.console_errors == []
    assert page_record.outside_requests == []
    assert page_record.failed_responses == []
