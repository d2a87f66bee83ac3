"""The 403 and 404 pages that users see with DEBUG off, and how a denial is logged."""

import logging
import sys

import pytest
from django.urls import reverse


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False


def test_403_page_shows_reason_and_link(debug_off, anonymous_client, own, user_with_role):
    anonymous_client.force_login(user_with_role("viewer"))

    response = anonymous_client.post(reverse("scenarios:delete", args=[own.scenario_slug]))

    page = response.content.decode()
    assert response.status_code == 403
    assert "This action needs the role “analyst” in Own." in page
    assert f'href="{reverse("scenarios:list")}" id="back-link"' in page
    assert "Signed in as viewer" in page


def test_404_page_shows_reason_and_link(debug_off, anonymous_client, own, other, user_with_role):
    anonymous_client.force_login(user_with_role("viewer"))

    response = anonymous_client.get(reverse("scenarios:detail", args=[other.scenario_slug]))

    page = response.content.decode()
    assert response.status_code == 404
    assert '<p class="message message-error" id="not-found-reason">Not found.</p>' in page
    assert f'href="{reverse("scenarios:list")}" id="back-link"' in page


def test_404_unknown_path_names_path(debug_off, client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "There is no page at /no-such-page/." in response.content.decode()


def test_403_logged_as_warning_without_traceback(anonymous_client, own, user_with_role, caplog):
    anonymous_client.force_login(user_with_role("viewer"))
    path = reverse("scenarios:delete", args=[own.scenario_slug])

    with caplog.at_level(logging.WARNING, logger="django.request"):
        anonymous_client.post(path)

    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == f"Forbidden (Permission denied): {path}: This action needs the role “analyst” in Own."


def test_server_error_keeps_traceback():
    from riskapp.accounts.log_filters import PermissionDeniedWithoutTraceback

    try:
        raise ValueError("broken")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
                               ("/x/",), exc_info)
    record.status_code = 500

    assert PermissionDeniedWithoutTraceback().filter(record) is True
    assert record.exc_info is exc_info
    assert record.getMessage() == "Internal Server Error: /x/"
