"""Benchmark of the scenario editor at 10 defenses × 10 attacks × 5 outcomes: python -m tests.bench.bench_editor.

Prints a Markdown section with four measurements, each the median of repeated runs:

- the validate endpoint through Django's test client, signed in, against `parse_scenario` of the
  same text in-process, at 10 × 10 × 5 and at 2 × 2 × 2;
- in headless Chromium against `manage.py runserver` on a throwaway SQLite database, the time
  from navigation until the editor is rendered and until its first validation is shown, at both
  sizes;
- the time of a paste of a 100 × 5 block into the probability grid until every row sum is
  updated, against the edit of one cell;
- the JavaScript heap in use after garbage collection (CDP `Runtime.getHeapUsage`) at both sizes.

The whole script takes about 40 seconds of wall time on the 2-core development machine.
"""

import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(tempfile.mkdtemp(prefix="riskapp-bench-editor-"))
PORT = 8828
BASE_URL = f"http://127.0.0.1:{PORT}"
ENVIRONMENT = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "riskapp.settings",
    "RISKAPP_DATA_DIR": str(DATA_DIR),
    "DATABASE_URL": f"sqlite:///{DATA_DIR / 'riskapp.sqlite3'}",
    "RISKAPP_LOG_LEVEL": "WARNING",
}
os.environ.update(ENVIRONMENT)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from riskapp.accounts.models import Membership, Role, demo_organisation  # noqa: E402
from riskapp.scenarios import services  # noqa: E402
from riskapp.scenarios.format import parse_scenario  # noqa: E402
from tests.bench.__main__ import machine  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGUMENTS, LOCAL_HOSTS  # noqa: E402

LARGE = (10, 10, 5)
SMALL = (2, 2, 2)
SERVER_REPEATS = 31
BROWSER_REPEATS = 7

# Set by a MutationObserver before the page's own scripts run: the time, in milliseconds since
# navigation start, at which the status line first shows the result of a validation.
READY_OBSERVER = """(() => {
    window.benchValidated = null;
    new MutationObserver(() => {
        const status = document.getElementById("editor-status");
        if (window.benchValidated === null && status && status.textContent === "No errors.") {
            window.benchValidated = performance.now();
        }
    }).observe(document, {subtree: true, childList: true, characterData: true});
})()"""

# Paste a block into the focused cell as a spreadsheet would, then read the grid's height, which
# forces style and layout, so the time includes what the browser must do before it can paint.
TIMED_PASTE = """(text) => {
    const cell = document.activeElement;
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const started = performance.now();
    cell.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    document.getElementById("probability-grid").offsetHeight;
    return performance.now() - started;
}"""

# Replace the focused cell's text as one keystroke does (an input event), then force layout.
TIMED_EDIT = """(text) => {
    const cell = document.activeElement;
    const started = performance.now();
    cell.value = text;
    cell.dispatchEvent(new InputEvent("input", {bubbles: true, inputType: "insertText", data: text}));
    document.getElementById("probability-grid").offsetHeight;
    return performance.now() - started;
}"""

ROW_SUMS = """() => Array.from(document.querySelectorAll("#probability-grid .ed-sum"), (cell) => cell.textContent)"""

# How the editor writes a row sum of exactly 1: with as many decimals as its most precise cell.
ONE = {"1", "1.0"}

VALIDATED = "document.getElementById('editor-status').textContent === 'No errors.'"


def scenario_text(shape: tuple[int, int, int], title: str) -> str:
    """Build a valid scenario of the given shape with Dirichlet probability rows in thousandths and uncertain
    attacker numbers."""
    rng = np.random.default_rng(2026)
    defenses, attacks, outcomes = shape

    def row() -> dict[str, float]:
        thousandths = np.floor(1000 * rng.dirichlet(np.ones(outcomes))).astype(int)
        thousandths[0] += 1000 - thousandths.sum()
        return {f"s{s}": int(t) / 1000 for s, t in enumerate(thousandths)}

    attack_ids = ["none"] + [f"a{a}" for a in range(1, attacks)]
    return json.dumps({
        "format": "riskapp-scenario/1",
        "title": title,
        "defenses": [{"id": f"d{d}", "name": f"Defense {d}", "cost": d} for d in range(defenses)],
        "attacks": [{"id": "none", "name": "No attack", "cost": 0}] + [
            {"id": f"a{a}", "name": f"Attack {a}", "cost": {"triangular": [a, 2 * a, 3 * a + 1]}}
            for a in range(1, attacks)],
        "outcomes": [{"id": f"s{s}", "name": f"Outcome {s}", "defender_loss": 25 * s,
                      "attacker_gain": {"uniform": [0, 20 * (s + 1)]}} for s in range(outcomes)],
        "probabilities": {f"d{d}": {a: row() for a in attack_ids} for d in range(defenses)},
        "attacker": {"risk_aversion": {"uniform": [-0.02, 0.05]}, "belief_concentration": 50},
    }, indent=2)


def median_seconds(action, repeats: int) -> float:
    action()  # warm-up: imports, caches and the first database connection
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_server(client: Client, texts: dict) -> dict:
    """Measure the median seconds of the validate endpoint and of `parse_scenario` for each size."""
    url = reverse("scenarios:editor_validate")
    figures = {}
    for shape, text in texts.items():
        def validate(text=text, shape=shape):
            response = client.post(url, data=text, content_type="application/json")
            body = response.json()
            if response.status_code != 200 or not body["valid"]:
                raise RuntimeError(f"the validate endpoint rejected the {shape} scenario: {body}")

        figures[shape] = {
            "endpoint": median_seconds(validate, SERVER_REPEATS),
            "parse": median_seconds(lambda text=text: parse_scenario(text, syntax="json"), SERVER_REPEATS),
        }
    return figures


def start_server() -> subprocess.Popen:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is in use; stop what listens there and run the benchmark again")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
                              cwd=PROJECT, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(BASE_URL + reverse("accounts:login"), timeout=5):
                return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError("the development server did not start within 60 s") from None
            time.sleep(0.2)


def new_page(browser, session_cookie: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": BASE_URL}])

    def keep_local(route):
        if route.request.url.startswith(("data:", "blob:")) or urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", keep_local)
    context.add_init_script(READY_OBSERVER)
    return context, context.new_page()


def open_editor(browser, session_cookie: str, slug: str, cells: int, previews: int) -> dict:
    """Open the editor in a fresh context and return its timings in milliseconds and its heap in bytes."""
    context, page = new_page(browser, session_cookie)
    try:
        page.goto(f"{BASE_URL}/scenarios/{slug}/edit/")
        page.wait_for_function(VALIDATED)
        page.wait_for_function(f"document.querySelectorAll('[data-preview] svg').length === {previews}")
        received, rendered, validated, previewed, nodes, count = page.evaluate("""(url) => {
            const navigation = performance.getEntriesByType("navigation")[0];
            const previews = performance.getEntriesByType("resource").filter((entry) => entry.name.endsWith(url));
            return [navigation.responseEnd, navigation.domContentLoadedEventEnd, window.benchValidated,
                    Math.max(...previews.map((entry) => entry.responseEnd)),
                    document.getElementsByTagName("*").length,
                    document.querySelectorAll("#probability-grid .ed-cell").length];
        }""", reverse("scenarios:editor_preview"))
        if count != cells:
            raise RuntimeError(f"the editor shows {count} probability cells, not {cells}")
        cdp = context.new_cdp_session(page)
        cdp.send("HeapProfiler.enable")
        cdp.send("HeapProfiler.collectGarbage")
        heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
        return {"received": received, "rendered": rendered, "validated": validated, "previewed": previewed,
                "heap": heap, "nodes": nodes}
    finally:
        context.close()


def measure_grid_input(browser, session_cookie: str, slug: str) -> dict:
    """Measure the median milliseconds of a 100 × 5 paste and of a one-cell edit until the row sums are updated."""
    context, page = new_page(browser, session_cookie)
    rows = LARGE[0] * LARGE[1]
    blocks = [
        ["0.1\t0.2\t0.3\t0.4\t0" if r % 2 == 0 else "0\t0\t0\t0\t1" for r in range(rows)],
        ["0.2\t0.2\t0.2\t0.2\t0.2"] * rows,
    ]
    try:
        page.goto(f"{BASE_URL}/scenarios/{slug}/edit/")
        page.wait_for_function(VALIDATED)
        first_cell = page.locator('#probability-grid .ed-cell[data-row="0"][data-column="0"]')
        pastes, edits = [], []
        for repeat in range(BROWSER_REPEATS + 1):
            first_cell.focus()
            pasted = page.evaluate(TIMED_PASTE, "\r\n".join(blocks[repeat % 2]) + "\r\n")
            sums = page.evaluate(ROW_SUMS)
            if len(sums) != rows or not set(sums) <= ONE:
                raise RuntimeError(f"the row sums after a paste are {sorted(set(sums))}, not all 1")
            page.wait_for_function(VALIDATED)

            # Change the first two cells of row 0 so that their total, and so the row sum, stays the same.
            first_cell.focus()
            edited = page.evaluate(TIMED_EDIT, "0.1" if repeat % 2 else "0.3")
            page.locator('#probability-grid .ed-cell[data-row="0"][data-column="1"]').focus()
            page.evaluate(TIMED_EDIT, "0.3" if repeat % 2 else "0.0")
            first_sum = page.evaluate(ROW_SUMS)[0]
            if first_sum not in ONE:
                raise RuntimeError(f"the first row sum after two edits is {first_sum}, not 1")
            page.wait_for_function(VALIDATED)
            if repeat:  # the first round warms up the page's code
                pastes.append(pasted)
                edits.append(edited)
        return {"paste": statistics.median(pastes), "edit": statistics.median(edits)}
    finally:
        context.close()


def measure_browser(session_cookie: str, slugs: dict) -> tuple[dict, dict]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        try:
            loads = {}
            for shape, slug in slugs.items():
                cells = shape[0] * shape[1] * shape[2]
                previews = attacker_numbers(shape)
                open_editor(browser, session_cookie, slug, cells, previews)  # warm-up
                runs = [open_editor(browser, session_cookie, slug, cells, previews) for _ in range(BROWSER_REPEATS)]
                loads[shape] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            grid = measure_grid_input(browser, session_cookie, slugs[LARGE])
            return loads, grid
        finally:
            browser.close()


def attacker_numbers(shape: tuple[int, int, int]) -> int:
    """Count the uncertain attacker numbers of a benchmark scenario, each of which the editor previews on load."""
    return (shape[1] - 1) + shape[2] + 1


def shape_text(shape: tuple[int, int, int]) -> str:
    return " × ".join(str(n) for n in shape)


def print_section(texts: dict, server: dict, loads: dict, grid: dict) -> None:
    large, small = server[LARGE], server[SMALL]
    print("## Scenario editor\n")
    print(f"Measured on {datetime.date.today().isoformat()} on {machine()}, with "
          "`python -m tests.bench.bench_editor`; the other sections come from the run named at the top. Scenarios "
          "of defenses × attacks × outcomes with probability rows in thousandths and uncertain attacker numbers; "
          "medians of "
          f"{SERVER_REPEATS} server and {BROWSER_REPEATS} browser repetitions after one warm-up.\n")

    print("Validation on the server, through Django's test client signed in (SQLite), against `parse_scenario` "
          "of the same text in-process:\n")
    print("| scenario | JSON bytes | validate endpoint ms | `parse_scenario` ms | endpoint ÷ parse |")
    print("|---|---|---|---|---|")
    for shape in (LARGE, SMALL):
        figures = server[shape]
        print(f"| {shape_text(shape)} | {len(texts[shape]):,} | {1000 * figures['endpoint']:.2f} | "
              f"{1000 * figures['parse']:.2f} | {figures['endpoint'] / figures['parse']:.2f} |")
    print(f"\nFrom {shape_text(SMALL)} to {shape_text(LARGE)} ({len(texts[LARGE]) / len(texts[SMALL]):.0f} times "
          f"the bytes, 25 times the probability rows) the endpoint takes {large['endpoint'] / small['endpoint']:.1f} "
          f"times as long and `parse_scenario` {large['parse'] / small['parse']:.1f} times.\n")

    print("The editor in headless Chromium against `manage.py runserver` (development settings, SQLite), a fresh "
          "browser context per load, times from navigation start:\n")
    print("| scenario | probability cells | DOM elements | page received ms | rendered ms "
          "| first validation shown ms | density previews received ms | JS heap MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in (LARGE, SMALL):
        figures = loads[shape]
        print(f"| {shape_text(shape)} | {shape[0] * shape[1] * shape[2]} | {figures['nodes']:.0f} | "
              f"{figures['received']:.0f} | {figures['rendered']:.0f} | {figures['validated']:.0f} | "
              f"{figures['previewed']:.0f} ({attacker_numbers(shape)}) | {figures['heap'] / 2**20:.1f} |")
    ratio = {key: loads[LARGE][key] / loads[SMALL][key] for key in ("received", "rendered", "validated", "heap")}
    print(f"\nRatios of {shape_text(LARGE)} to {shape_text(SMALL)}: page received {ratio['received']:.2f}, "
          f"rendered {ratio['rendered']:.2f}, first validation shown {ratio['validated']:.2f}, JS heap "
          f"{ratio['heap']:.2f}. \"Rendered\" is the end of DOMContentLoaded, after the deferred editor script has "
          "built every field, so the page takes input from then on. It includes fetching the stylesheets and "
          "scripts, since each load starts with an empty cache. At start the editor sends the whole document to "
          "the validate endpoint and, at the same moment, one preview request per uncertain attacker number "
          "(their count in brackets), all to the same development server. "
          "The heap is `Runtime.getHeapUsage().usedSize` after a forced garbage collection.\n")

    print(f"Input into the {shape_text(LARGE)} probability grid, from the event until every affected row sum "
          "is updated and the layout recomputed (measured inside the page; the 600 ms pause before the next "
          "validation is not included):\n")
    print("| input | ms | ratio to one cell |")
    print("|---|---|---|")
    print(f"| paste of a {LARGE[0] * LARGE[1]} × {LARGE[2]} tab-separated block | {grid['paste']:.1f} | "
          f"{grid['paste'] / grid['edit']:.1f} |")
    print(f"| edit of one cell (one input event) | {grid['edit']:.1f} | 1.0 |")


def main() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT,
                   env=ENVIRONMENT, check=True)
    user = get_user_model().objects.create_user("bench", password="bench-editor-password")
    Membership.objects.create(user=user, organisation=demo_organisation(), role=Role.ADMIN)
    client = Client()
    client.force_login(user)

    texts = {LARGE: scenario_text(LARGE, "Editor benchmark large"),
             SMALL: scenario_text(SMALL, "Editor benchmark small")}
    slugs = {shape: services.import_scenario(parse_scenario(text, syntax="json")).scenario.slug
             for shape, text in texts.items()}
    server = measure_server(client, texts)

    process = start_server()
    try:
        loads, grid = measure_browser(client.cookies[settings.SESSION_COOKIE_NAME].value, slugs)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(DATA_DIR, ignore_errors=True)
    print_section(texts, server, loads, grid)


if __name__ == "__main__":
    main()
