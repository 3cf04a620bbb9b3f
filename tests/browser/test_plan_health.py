"""Plan health in headless Chromium: the page every member reads, and the admins' thresholds
form with its errors, each passing axe-core at WCAG 2.2 AA and fitting a 375 px phone. Nothing
is saved (the shared live server keeps the seed as the other tests expect it)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import fits_375, sign_in
from tests.conftest import ADMIN

pytestmark = pytest.mark.browser
Check = Callable[[Page], None]

HEALTH = "/p/kent-and-medway/health"


def test_the_board_reads_plan_health(page: Page, check_accessibility: Check) -> None:
    page.goto(HEALTH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan health")
    expect(page.locator("#health-summary")).to_contain_text("7 of 12 checks pass")
    rows = page.locator("#health-checks tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first).to_contain_text("Pass")
    expect(page.locator("#change-thresholds")).to_have_count(0)  # the board changes nothing
    check_accessibility(page)
    fits_375(page)

    page.locator("#check-missing_logic").get_by_role("link", name="GOV-13").click()
    expect(page).to_have_url(re.compile(r"/milestones/GOV-13$"))


def test_an_admin_sees_every_error_on_the_thresholds_form(
    anonymous_page: Page, check_accessibility: Check
) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)
    page.goto(HEALTH)
    page.locator("#change-thresholds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan health thresholds")
    expect(page.locator("#missing_logic")).to_have_value("5")
    check_accessibility(page)
    fits_375(page)

    page.locator("#missing_logic").fill("lots")
    page.locator("#lag_days").fill("300")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Missing logic: enter a whole percentage from 0 to 100")
    expect(summary).to_contain_text("Longest lag: enter a whole number of working days")
    expect(page.locator("#missing_logic")).to_have_value("lots")
    check_accessibility(page)
    fits_375(page)
