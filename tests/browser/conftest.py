"""Browser fixtures: the seeded app on a live server, headless Chromium through Playwright,
and checks every browser test gets.

Each pytest-xdist worker builds its own seeded database (`_seeded_app`), so each worker runs
its own live server and, when it gets a browser test, its own Chromium.

- Every request a page makes is recorded; a test fails if any went to a host other than the
  live server (pages must work on an NHS network without internet access). Such requests are
  also aborted, so nothing leaves the machine.
- A JavaScript error on the page, or a response of 400 or more from the live server, fails
  the test too: a broken chart script or a missing asset is otherwise easy to miss.
- `check_accessibility(page)` runs axe-core at WCAG 2.2 AA.
- `save_screenshot(page, name)` writes a full-page PNG to $SCREENSHOT_DIR (used by
  `make screenshots` for the README) or, when that is unset, to the test's own tmp folder.

Chromium is Debian's /usr/bin/chromium (`make browser` installs it). Without it the browser
tests skip, except with CI=true, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    Response,
    ViewportSize,
    sync_playwright,
)
from werkzeug.serving import make_server

from tests.conftest import KENT_AND_MEDWAY, ScratchDatabases, make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}
# WCAG 2.2 at level AA, as axe-core tags it.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Resolves once the fonts have loaded and two animation frames have run.
SETTLED = """() => document.fonts.ready.then(
    () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))"""
# Schemes that never leave the page.
LOCAL_SCHEMES = {"data", "blob", "about"}


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serves `app` on a free port in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextlib.contextmanager
def app_of_its_own(
    scratch: ScratchDatabases, name: str, add: Callable[[], None] | None = None
) -> Iterator[Flask]:
    """The app on a database of its own holding the Kent and Medway seed (and whatever `add`
    puts there), for a module whose tests change data or need more than the seed."""
    from flask_migrate import upgrade

    from tracker.extensions import db
    from tracker.services.seeding import load_programme_dir

    app = make_app(scratch.new(name))
    with app.app_context():
        upgrade()
        load_programme_dir(KENT_AND_MEDWAY, password=app.config["SEED_USER_PASSWORD"])
        if add is not None:
            add()
            db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(_seeded_app: Flask) -> Iterator[str]:
    """The seeded app on a live server, for tests that only read.

    Requests there get their own database sessions, never the rolled-back connection of the
    function-scoped `app` fixture, which browser tests must not use. Tests that change data
    override this fixture with `app_of_its_own` (see test_workflow.py), so the shared
    seed stays as the other tests expect it.
    """
    with serving(_seeded_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(sudo apt-get install chromium, or `make browser` as root) to run the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@dataclass
class Traffic:
    """What a page did over the network and in its scripts during one test."""

    origin: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (status, path) pairs a test provokes on purpose, such as a forged POST's 403.
    expected: set[tuple[int, str]] = field(default_factory=set)

    def expect(self, status: int, path: str) -> None:
        self.expected.add((status, path))

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_response(self, response: Response) -> None:
        if (response.status, urlsplit(response.url).path) in self.expected:
            return
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def elsewhere(self) -> list[str]:
        return [url for url in self.requests if not self.is_local(url)]

    def problems(self) -> list[str]:
        found = []
        if self.elsewhere():
            found.append("requests to another host:\n  " + "\n  ".join(self.elsewhere()))
        if self.failed:
            found.append("failed responses:\n  " + "\n  ".join(self.failed))
        if self.errors:
            found.append("JavaScript errors:\n  " + "\n  ".join(self.errors))
        return found


@pytest.fixture()
def traffic(live_server: str) -> Traffic:
    return Traffic(origin=live_server)


@pytest.fixture()
def context(browser: Browser, live_server: str, traffic: Traffic) -> Iterator[BrowserContext]:
    """A fresh browser context per test: no cookies or cache carried between tests."""
    context = browser.new_context(
        base_url=live_server,
        viewport=VIEWPORT,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    # Context-wide, so requests from popups and workers are seen as well.
    context.on("request", traffic.on_request)
    context.on("response", traffic.on_response)
    context.route(lambda url: not traffic.is_local(url), lambda route: route.abort())
    try:
        yield context
    finally:
        context.close()


@pytest.fixture()
def anonymous_page(context: BrowserContext, traffic: Traffic) -> Page:
    """A page in its own context, at 1400 × 1000, not signed in. The test fails if the page
    asked another host for anything, got an error response, or threw a JavaScript error (see
    the hook below)."""
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.errors.append(str(error)))
    return page


def sign_in(page: Page, email: str, password: str | None = None) -> None:
    """Signs in through the sign-in form, as a person would (seeded accounts by default)."""
    from config import TestingConfig

    password = password or TestingConfig.SEED_USER_PASSWORD or ""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, f"{email} could not sign in"


@pytest.fixture()
def page(anonymous_page: Page) -> Page:
    """A page signed in as a board member, who reads every page and changes nothing."""
    sign_in(anonymous_page, "paul.bentley@example.org")
    return anonymous_page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Checks a browser test's traffic once its body has run, so a request to another host
    fails the test itself rather than erroring in teardown. When the body failed anyway, the
    traffic problems are added to its error as a note."""
    traffic = getattr(item, "funcargs", {}).get("traffic")
    try:
        result = yield
    except BaseException as failure:
        if isinstance(traffic, Traffic) and traffic.problems():
            failure.add_note("\n".join(traffic.problems()))
        raise
    if isinstance(traffic, Traffic) and traffic.problems():
        pytest.fail("\n".join(traffic.problems()), pytrace=False)
    return result


def format_violations(violations: list[dict], targets: int = 3) -> str:
    lines = [f"{len(violations)} axe violation(s) at WCAG 2.2 AA:"]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{len(nodes)} element(s)] {violation['helpUrl']}"
        )
        for node in nodes[:targets]:
            lines.append(f"    {' '.join(str(part) for part in node['target'])}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + " ".join(summary.split()))
        if len(nodes) > targets:
            lines.append(f"    … and {len(nodes) - targets} more")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def check_accessibility() -> Callable[[Page], None]:
    """Runs axe-core on the page as it stands and fails on any WCAG 2.2 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

    def check(page: Page) -> None:
        # The page as it settles, not as it is drawn first: after a click the address can
        # change before the scripts have run, and the header moves the links that do not fit
        # into its "More" menu only once they have (and again when the fonts load).
        page.wait_for_load_state("load")
        page.evaluate(SETTLED)
        violations = axe.run(page, options=options).response["violations"]
        if violations:
            pytest.fail(f"{page.url}\n{format_violations(violations)}", pytrace=False)

    return check


@pytest.fixture()
def save_screenshot(tmp_path: Path) -> Callable[..., Path]:
    """Saves a PNG as <name>.png in $SCREENSHOT_DIR, else in the test's tmp folder.

    The shot starts at the top of the page, or of ``selector``'s element, and is at most
    ``height`` pixels tall, so the README's pictures stay a readable size."""

    def save(page: Page, name: str, selector: str | None = None, height: int = 1300) -> Path:
        folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        top, full = 0.0, page.evaluate("document.documentElement.scrollHeight")
        if selector is not None:
            box = page.locator(selector).first.bounding_box()
            assert box is not None, f"{selector} is not on the page"
            top, full = box["y"], box["y"] + box["height"]
        width = page.viewport_size["width"] if page.viewport_size else 1400
        clip = {"x": 0, "y": top, "width": width, "height": min(height, full - top)}
        page.screenshot(path=path, full_page=True, clip=clip, animations="disabled")
        return path

    return save


def fits_375(page: Page) -> None:
    """Nothing scrolls sideways on a phone. Waited for, as Playwright's expect waits: just
    after a resize the renderer may still hold the wide layout (a table measured 816 px for
    an instant, then 375)."""
    page.set_viewport_size({"width": 375, "height": 800})
    # Polled from Python: wait_for_function's polling evaluates a string, which the pages'
    # content security policy refuses once it has to try more than once.
    deadline = time.monotonic() + 3
    width = page.evaluate("document.documentElement.scrollWidth")
    while width > 375 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        width = page.evaluate("document.documentElement.scrollWidth")
    if width > 375:
        raise AssertionError(f"{page.url} is {width} px wide at 375 px")
    page.set_viewport_size({"width": 1400, "height": 1000})
