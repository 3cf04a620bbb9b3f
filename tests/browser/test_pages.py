"""The board's pages in headless Chromium: each loads, shows its heading, passes axe-core at
WCAG 2.2 AA and asks no other host for anything (the `page` fixture checks that)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Traffic

pytestmark = pytest.mark.browser

PROGRAMME = "/p/kent-and-medway"

# Marks plotly drew for milestones: each trace the chart script gives `meta: "milestone"`
# (plan bars and point-milestone diamonds) is a `g.trace` whose d3 datum carries the trace;
# each bar or marker in it is a `.point`. Empty traces draw no `g.trace` at all.
COUNT_MILESTONE_MARKS = """() => Array.from(document.querySelectorAll('#gantt g.trace'))
    .filter(el => {
        const trace = el.__data__ && el.__data__[0] && el.__data__[0].trace;
        return trace && (trace.meta ?? (trace._input && trace._input.meta)) === 'milestone';
    })
    .reduce((n, el) => n + el.querySelectorAll('.point').length, 0)"""

Check = Callable[[Page], None]
Screenshot = Callable[..., Path]


def open_page(page: Page, path: str) -> None:
    """Opens a path on the live server, waits for the network to settle, and checks the page
    answered 200 and shows its one h1."""
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_be_visible()


def gantt_marks(page: Page) -> tuple[int, int]:
    """(milestone marks in the chart's SVG, rows in its data table), once the chart drew."""
    expect(page.locator("#gantt .main-svg").first).to_be_attached()
    expect(page.locator("#gantt g.trace .point").first).to_be_attached()
    marks = page.evaluate(COUNT_MILESTONE_MARKS)
    rows = page.locator("table#gantt-data tbody tr").count()
    return marks, rows


def test_dashboard(page: Page, check_accessibility: Check, save_screenshot: Screenshot) -> None:
    open_page(page, f"{PROGRAMME}/")
    check_accessibility(page)
    save_screenshot(page, "dashboard")


def test_gantt_chart_draws_one_mark_per_milestone(
    page: Page, check_accessibility: Check, save_screenshot: Screenshot
) -> None:
    open_page(page, f"{PROGRAMME}/gantt")
    marks, rows = gantt_marks(page)
    assert rows > 0
    assert marks == rows, f"the chart drew {marks} milestone marks for {rows} milestones"
    check_accessibility(page)
    save_screenshot(page, "gantt", selector="#gantt")


def test_filtered_gantt_draws_only_the_filtered_milestones(
    page: Page, check_accessibility: Check
) -> None:
    open_page(page, f"{PROGRAMME}/gantt")
    _, everything = gantt_marks(page)

    open_page(page, f"{PROGRAMME}/gantt?workstream=PEO&critical=1")
    marks, rows = gantt_marks(page)
    assert 0 < rows < everything, f"{rows} of {everything} milestones after filtering"
    assert marks == rows, f"the chart drew {marks} milestone marks for {rows} milestones"
    check_accessibility(page)


@pytest.mark.parametrize(
    "path",
    [
        f"{PROGRAMME}/workstreams/PEO",
        f"{PROGRAMME}/milestones/PEO-09",
        f"{PROGRAMME}/milestones/",
        f"{PROGRAMME}/risks/",
        f"{PROGRAMME}/history",
        f"{PROGRAMME}/baselines/",
        f"{PROGRAMME}/spreadsheets/",
        "/account/calendar",
        "/account/api-tokens",
        "/account/email",
        "/account/password",
    ],
)
def test_page(page: Page, check_accessibility: Check, path: str) -> None:
    open_page(page, path)
    check_accessibility(page)


def test_harness_catches_a_request_to_another_host(page: Page, traffic: Traffic) -> None:
    # A self-test of the fixture every other test relies on: the foreign request is seen,
    # blocked before it leaves the machine, and reported as the problem that fails a test.
    page.set_content('<img src="http://example.invalid/logo.png" alt="">')
    page.wait_for_load_state("networkidle")
    assert traffic.elsewhere() == ["http://example.invalid/logo.png"]
    assert "requests to another host" in traffic.problems()[0]
    traffic.requests.clear()  # seen and checked: let the test itself pass
