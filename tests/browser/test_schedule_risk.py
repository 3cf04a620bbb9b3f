"""Schedule risk analysis in headless Chromium: the page draws its three charts with the
locally served plotly.js (an svg each), passes axe-core at WCAG 2.2 AA and fits a 375 px
phone, for a board member and for an admin (with the form to run it again). Nothing a person
made is changed: the page only keeps its result in the cache table."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import fits_375, sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser
Check = Callable[[Page], None]

RISK = "/p/kent-and-medway/schedule-risk"
CHARTS = ("#risk-histogram-chart", "#risk-s-curve-chart", "#risk-drivers-chart")


def test_the_board_reads_the_chance_of_making_go_live(
    page: Page, check_accessibility: Check
) -> None:
    page.goto(RISK)
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule risk analysis")
    expect(page.locator("#risk-chance")).to_have_text(
        re.compile(r"^Chance of making 1 July 2022: \d+ %$")
    )
    for chart in CHARTS:
        expect(page.locator(f"{chart} svg.main-svg").first).to_be_visible()
    # The trimmed mode bar: no plotly logo, nothing that sends the chart elsewhere.
    expect(page.locator(".modebar-btn--logo")).to_have_count(0)
    expect(page.locator("#drivers-table tbody tr").first).to_be_visible()
    expect(page.locator("#iterations")).to_have_count(0)  # the board runs nothing else
    page.locator("#histogram-table summary").click()
    expect(page.locator("#histogram-table tbody tr").first).to_be_visible()
    check_accessibility(page)
    fits_375(page)


def test_an_admin_runs_it_again_with_another_seed(
    anonymous_page: Page, check_accessibility: Check
) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)
    page.goto(RISK)
    page.locator("#iterations").fill("2000")
    page.locator("#seed").fill("4")
    page.get_by_role("button", name="Run the analysis").click()
    expect(page).to_have_url(re.compile(r"iterations=2000&seed=4$"))
    expect(page.locator("#risk-run")).to_contain_text("2,000 iterations and seed 4")
    for chart in CHARTS:
        expect(page.locator(f"{chart} svg.main-svg").first).to_be_visible()
    check_accessibility(page)
    fits_375(page)

    page.locator("#seed").fill("minus one")
    page.get_by_role("button", name="Run the analysis").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The seed must be a whole number from 0"
    )
    check_accessibility(page)


def test_a_big_run_shows_its_progress_then_its_result(
    anonymous_page: Page,
    check_accessibility: Check,
    _seeded_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every plan counts as big: the page says it is being worked out, schedule-risk.js polls
    status.json and shows the result once it is stored."""
    monkeypatch.setitem(_seeded_app.config, "SCHEDULE_RISK_INLINE_COST", 0)
    monkeypatch.setitem(_seeded_app.config, "SCHEDULE_RISK_WAIT_SECONDS", 0)
    page = anonymous_page
    sign_in(page, ADMIN)
    # 100,000 iterations take a second or two: long enough to see it being worked out.
    page.goto(f"{RISK}?iterations=100000&seed=31")
    expect(page.locator("#risk-progress")).to_contain_text("Being worked out")
    expect(page.locator("#risk-reload")).to_have_attribute(
        "href", f"{RISK}?iterations=100000&seed=31"
    )
    check_accessibility(page)
    expect(page.locator("#risk-chance")).to_be_visible(timeout=30_000)
    expect(page.locator("#risk-run")).to_contain_text("100,000 iterations and seed 31")
    expect(page.locator("#risk-histogram-chart svg.main-svg").first).to_be_visible()
