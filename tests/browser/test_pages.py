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

# The chart (static/js/gantt-chart.js) keeps only the rows in view, and a margin, in the DOM:
# each milestone row drawn holds one plan mark, a bar or a point milestone's diamond.
COUNT_MILESTONE_MARKS = """() => [
    document.querySelectorAll('#gantt .gantt-row--m .gantt-bar').length,
    document.querySelectorAll('#gantt .gantt-row--m').length]"""

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


def gantt_marks(page: Page) -> tuple[int, int, int]:
    """(milestone marks drawn, milestone rows drawn, rows in the data table), once drawn."""
    expect(page.locator("#gantt .gantt-row--m .gantt-bar").first).to_be_attached()
    marks, drawn = page.evaluate(COUNT_MILESTONE_MARKS)
    rows = page.locator("table#gantt-data tbody tr").count()
    return marks, drawn, rows


def test_dashboard(page: Page, check_accessibility: Check, save_screenshot: Screenshot) -> None:
    open_page(page, f"{PROGRAMME}/")
    check_accessibility(page)
    save_screenshot(page, "dashboard")


def test_gantt_chart_draws_one_mark_per_milestone(
    page: Page, check_accessibility: Check, save_screenshot: Screenshot
) -> None:
    open_page(page, f"{PROGRAMME}/gantt")
    marks, drawn, rows = gantt_marks(page)
    assert 0 < drawn <= rows
    assert marks == drawn, f"the chart drew {marks} milestone marks for {drawn} milestone rows"
    check_accessibility(page)
    save_screenshot(page, "gantt", selector="#gantt")


def test_filtered_gantt_draws_only_the_filtered_milestones(
    page: Page, check_accessibility: Check
) -> None:
    open_page(page, f"{PROGRAMME}/gantt")
    _, _, everything = gantt_marks(page)

    open_page(page, f"{PROGRAMME}/gantt?workstream=PEO&critical=1")
    marks, drawn, rows = gantt_marks(page)
    assert 0 < rows < everything, f"{rows} of {everything} milestones after filtering"
    assert marks == drawn == rows, f"the chart drew {marks} milestone marks for {rows} milestones"
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
