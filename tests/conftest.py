"""Fixtures shared by every test package: seeded randomness, stored scenarios, real Celery
workers and headless Chromium kept off every network but the loopback."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np
import pytest
from playwright.sync_api import sync_playwright


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so that random test inputs are the same on every run."""
    return np.random.default_rng(20261204)


@pytest.fixture
def member(db, django_user_model):
    """A signed-in analyst's account: admin of the demo organisation, which owns fixtures' scenarios."""
    from riskapp.accounts.models import Membership, Role, demo_organisation

    user = django_user_model.objects.create_user("member", password="member-password")
    Membership.objects.create(user=user, organisation=demo_organisation(), role=Role.ADMIN)
    return user


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture
def client(request, client):
    """pytest-django's test client, signed in as ``member`` since every page but the catalog needs a user.

    A test without database access keeps an anonymous client: it can only reach pages that need no user.
    """
    if request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames):
        client.force_login(request.getfixturevalue("member"))
    return client


@pytest.fixture
def anonymous_client():
    """A test client that has not signed in."""
    from django.test import Client

    return Client()


@pytest.fixture
def example_revision(db):
    """The example scenario file stored as revision 1 of a scenario."""
    from riskapp.scenarios import services
    from riskapp.scenarios.format import parse_scenario
    from tests.workers import PROJECT

    example = PROJECT / "tests" / "scenarios" / "data" / "weight_theft.json"
    return services.import_scenario(parse_scenario(example.read_bytes(), syntax="json"))


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real Celery worker processes on the configured broker; stop them afterwards."""
    from riskapp.celery import app
    from tests.workers import start_worker_process

    app.control.purge()  # drop messages that earlier tests queued with no worker running
    workers = []

    def start(**options):
        worker = start_worker_process(tmp_path, **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


CHROMIUM = "/usr/bin/chromium"

# Without these flags Chromium contacts Google services at start. The resolver rule makes any
# host name other than the loopback fail, so a page cannot reach the internet by accident.
CHROMIUM_ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@dataclass
class PageRecord:
    """What a page did that a test may want to forbid."""

    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session: Playwright's sync API allows one instance per thread."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_record() -> PageRecord:
    return PageRecord()


def sign_in_browser(context, base_url: str, user) -> None:
    """Give a browser context the session cookie of ``user`` signed in on the server at ``base_url``."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.fixture
def page(request, browser, page_record):
    """A Chromium page; in a test with a live server it is signed in as ``member``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    if "live_server" in request.fixturenames:
        sign_in_browser(context, request.getfixturevalue("live_server").url, request.getfixturevalue("member"))

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            page_record.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda message: page_record.console_errors.append(message.text)
            if message.type == "error" else None)
    page.on("response", lambda response: page_record.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    yield page
    context.close()
