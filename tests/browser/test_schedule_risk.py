"""Schedule risk analysis in headless Chromium: the page draws its three charts with the
locally served plotly.js (an svg each), passes axe-core at WCAG 2.2 AA and fits a 375 px
phone, for a board member and for an admin (with the form to run it again); the defaults
page, its messages and a save; a scenario chosen and analysed beside the plan. The module has
a database of its own (the seed and one shared scenario): saving the defaults changes data."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_of_its_own, fits_375, serving, sign_in
from tests.conftest import ADMIN, ScratchDatabases

pytestmark = pytest.mark.browser
Check = Callable[[Page], None]

RISK = "/p/kent-and-medway/schedule-risk"
CHARTS = ("#risk-histogram-chart", "#risk-s-curve-chart", "#risk-drivers-chart")
SCENARIO = "TUPE slips"


def _a_shared_scenario() -> None:
    """The programme office's shared scenario: PEO-09 three weeks late."""
    from flask import current_app

    from tests.helpers import programme
    from tracker.domain.scenarios import Slip
    from tracker.services import scenarios
    from tracker.services.accounts import user_by_email, viewer_for
    from tracker.services.optimistic_locking import Seen

    with current_app.test_request_context():
        office = viewer_for(user_by_email(ADMIN), "kent-and-medway")
        made = scenarios.create_scenario(office, programme(), SCENARIO, "", [Slip("PEO-09", 15)])
        scenarios.share(office, made, Seen(made.version), True)


@pytest.fixture(scope="module")
def risk_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    with app_of_its_own(scratch, "schedule-risk", _a_shared_scenario) as app:
        yield app


@pytest.fixture(scope="module")
def live_server(risk_app: Flask) -> Iterator[str]:
    with serving(risk_app) as url:
        yield url


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
    risk_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every plan counts as big: the page says it is being worked out, schedule-risk.js polls
    status.json and shows the result once it is stored."""
    monkeypatch.setitem(risk_app.config, "SCHEDULE_RISK_INLINE_COST", 0)
    monkeypatch.setitem(risk_app.config, "SCHEDULE_RISK_WAIT_SECONDS", 0)
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


def test_an_admin_changes_the_defaults(anonymous_page: Page, check_accessibility: Check) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)
    page.goto(RISK)
    expect(page.locator("#risk-defaults-whose")).to_contain_text("uses the tracker's defaults")
    page.locator("#defaults-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule risk analysis defaults")
    expect(page.locator("#not_started_point_pessimistic")).to_have_value("10")
    check_accessibility(page)
    fits_375(page)

    page.locator("#blocked_point_likely").fill("30")  # above the pessimistic (20)
    page.locator("#in_progress_activity_optimistic").fill("a bit")
    page.get_by_role("button", name="Save the defaults").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(
        "The pessimistic slip of a point milestone blocked must be at least the most likely (30)"
    )
    expect(summary).to_contain_text(
        "The optimistic change to an activity in progress must be a whole percentage"
    )
    check_accessibility(page)
    fits_375(page)

    page.locator("#blocked_point_likely").fill("5")
    page.locator("#in_progress_activity_optimistic").fill("-5")
    page.get_by_role("button", name="Save the defaults").click()
    expect(page).to_have_url(re.compile(r"/schedule-risk$"))
    expect(page.locator("#risk-defaults-whose")).to_contain_text("has set its own defaults")
    expect(page.locator("#defaults-table")).to_contain_text("0, +5, +20 working days")

    page.locator("#defaults-link").click()
    page.get_by_role("button", name="Put back the tracker's defaults").click()
    expect(page.locator("#risk-defaults-whose")).to_contain_text("uses the tracker's defaults")


def test_a_scenario_is_analysed_beside_the_plan(page: Page, check_accessibility: Check) -> None:
    page.goto(RISK)
    page.get_by_label("Analyse").select_option(label=f"{SCENARIO} (shared by Sarah Collins)")
    page.get_by_role("button", name="Show the analysis").click()
    expect(page).to_have_url(re.compile(r"\?scenario=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Schedule risk analysis of a scenario"
    )
    expect(page.locator("#risk-comparison")).to_contain_text(
        re.compile(rf"With the scenario '{SCENARIO}', the chance of making 1 July 2022 ")
    )
    expect(page.locator("#comparison-table tbody tr")).to_have_count(6)
    for chart in CHARTS:
        expect(page.locator(f"{chart} svg.main-svg").first).to_be_visible()
    check_accessibility(page)
    fits_375(page)
