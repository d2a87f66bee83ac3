"""Render a self-contained HTML report as an A4 PDF in headless Chromium, driven by Playwright.

The Chromium executable is ``settings.RISKAPP_CHROMIUM``, so Playwright needs no browser
download of its own. The page may load nothing but its own file, and Chromium's resolver
reaches no host but the loopback.
"""

import importlib.util
import logging
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins, Route, ViewportSize

logger = logging.getLogger(__name__)

# Without these flags Chromium contacts Google services at start. The resolver rule makes every
# host name but the loopback fail, so a report cannot reach the internet even by mistake.
CHROMIUM_ARGUMENTS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-sandbox",
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]

# The whole rendering, from Chromium's start to the last byte of the PDF, in seconds.
TIME_LIMIT_SECONDS = 60

# A4 is 210 mm wide. Less 10 mm margins either side, that leaves 190 mm, which is 718 CSS pixels
# at 96 px per inch. Drawing the charts at that width makes them fit the printed page.
VIEWPORT: "ViewportSize" = {"width": 718, "height": 1000}
PAGE_MARGINS: "PdfMargins" = {"top": "12mm", "bottom": "16mm", "left": "10mm", "right": "10mm"}

# Chromium fills the elements of class pageNumber and totalPages. The footer does not inherit
# the page's CSS, so it sets its own font size.
FOOTER_TEMPLATE = (
    '<div style="width: 100%; font-size: 8pt; color: #5b6475; text-align: center;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

# The export's drawing script sets this flag once every chart has been drawn.
CHARTS_DRAWN = "document.documentElement.dataset.chartsDrawn === 'true'"

# Inline images and plotly's generated objects use these schemes, which never reach a network.
INLINE_SCHEMES = {"data", "blob", "about"}


class PdfUnavailable(Exception):
    """Chromium or Playwright is missing, so this installation cannot render PDF files."""


class PdfRenderingFailed(Exception):
    """Chromium failed to start, or to produce the PDF within the time limit."""


def unavailable_reason() -> str | None:
    """Return why no PDF can be rendered here, or None when Chromium and Playwright are present."""
    path = settings.RISKAPP_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return gettext(
            "Chromium was not found at %(path)s. Install it or set RISKAPP_CHROMIUM to its executable."
        ) % {"path": path}
    if importlib.util.find_spec("playwright") is None:
        return gettext("The Playwright package is not installed.")
    return None


def render_pdf(html: str) -> bytes:
    """Render ``html`` (a self-contained document) as an A4 PDF with page numbers.

    Chromium prints once the document sets ``data-charts-drawn="true"`` on its ``<html>``
    element, as ``reports/export.html`` does after plotly has drawn every chart.
    Raises ``PdfUnavailable`` when Chromium or Playwright is missing and ``PdfRenderingFailed``
    when Chromium fails or exceeds ``TIME_LIMIT_SECONDS``.
    """
    reason = unavailable_reason()
    if reason is not None:
        raise PdfUnavailable(reason)

    # Playwright's sync API refuses to start in a thread that runs an asyncio loop (an ASGI
    # server) or another sync Playwright (the browser tests), and a new thread has neither.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="riskapp-pdf")
    future = pool.submit(_render, html, settings.RISKAPP_CHROMIUM, time.monotonic() + TIME_LIMIT_SECONDS)
    try:
        # Each Playwright step has its own timeout from the same deadline, so the margin is
        # only reached when a step ignores its timeout.
        return future.result(timeout=TIME_LIMIT_SECONDS + 10)
    except FutureTimeoutError as error:
        raise PdfRenderingFailed(
            gettext("Rendering the PDF timed out after %(seconds)d s.") % {"seconds": TIME_LIMIT_SECONDS}
        ) from error
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _render(html: str, chromium: str, deadline: float) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="riskapp-pdf-") as folder:
        report = Path(folder) / "report.html"
        report.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_ARGUMENTS, timeout=_milliseconds_left(deadline)
                )
                try:
                    page = browser.new_page(viewport=VIEWPORT)
                    page.route("**/*", lambda route: _allow_only(route, report.as_uri()))
                    page.goto(report.as_uri(), wait_until="load", timeout=_milliseconds_left(deadline))
                    page.wait_for_function(CHARTS_DRAWN, timeout=_milliseconds_left(deadline))
                    document = page.pdf(
                        format="A4",
                        print_background=True,
                        prefer_css_page_size=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=FOOTER_TEMPLATE,
                        margin=PAGE_MARGINS,
                    )
                finally:
                    browser.close()
        except PlaywrightTimeoutError as error:
            logger.error("PDF rendering with %s timed out: %s", chromium, error)
            message = gettext("Rendering the PDF timed out after %(seconds)d s.") % {"seconds": TIME_LIMIT_SECONDS}
            raise PdfRenderingFailed(message) from error
        except PlaywrightError as error:
            logger.error("PDF rendering with %s failed: %s", chromium, error)
            message = gettext("Chromium failed to render the PDF: %(error)s") % {"error": error}
            raise PdfRenderingFailed(message) from error

    logger.info("Rendered a PDF of %d bytes in %.1f s", len(document), time.monotonic() - started)
    return document


def _allow_only(route: "Route", report_url: str) -> None:
    """Abort every request except the report's own file and inline data."""
    url = route.request.url
    if url == report_url or urlsplit(url).scheme in INLINE_SCHEMES:
        route.continue_()
    else:
        logger.warning("PDF rendering blocked a request to %s", route.request.url)
        route.abort()


def _milliseconds_left(deadline: float) -> float:
    # Playwright reads a timeout of 0 as "no limit", so an expired deadline still gets 1 ms.
    return max(1.0, 1000 * (deadline - time.monotonic()))
