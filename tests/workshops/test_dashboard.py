"""The facilitator's dashboard data: answers counted against the same panel as the report's."""

import pytest

from riskapp.workshops import dashboard, exports, services
from riskapp.workshops.services import Answer

pytestmark = pytest.mark.django_db


def test_progress_uses_report_panel_after_leave(workshop, questions):
    early, _token = services.join_workshop(workshop)
    services.leave_workshop(early)
    first, second = (services.join_workshop(workshop)[0] for _ in range(2))
    round_ = services.open_round(workshop)
    row = questions["row"].pk
    services.submit_judgements(first, {row: Answer(value=0.2)})
    services.submit_judgements(second, {row: Answer(value=0.4)})
    services.leave_workshop(second)
    late, _token = services.join_workshop(workshop)
    services.submit_judgements(late, {row: Answer(value=0.3)})

    data = dashboard.facilitator_data(workshop)

    progress = next(question for question in data["questions"] if question["id"] == row)
    # E1 left before the round opened, so the panel is E2, E3 (left after answering) and E4.
    assert (progress["answered_count"], data["panel_count"]) == (3, 3)
    services.close_round(round_)
    (summary,) = exports.build_report(workshop).rounds
    assert summary.panel == ["E2", "E3", "E4"]
