"""Every page the accessibility statement lists (tracker/main/accessibility.py), in headless
Chromium as the person named there: axe-core at WCAG 2.2 AA at 1,400 px and at 375 px, no
sideways scrolling at 375 px, the footer's link to the statement, and the keyboard pages gone
through with the Tab key. On a phone the lead's actions and the RAG columns stay in view."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import fits_375, sign_in
from tracker.main.accessibility import TESTED_PAGES, TestedPage

pytestmark = pytest.mark.browser

Check = Callable[[Page], None]
PROGRAMME = "/p/kent-and-medway"
PHONE = {"width": 375, "height": 800}
# The seeded accounts each role signs in as (tests/conftest.py names the same people).
ACCOUNTS = {
    "board": "paul.bentley@example.org",
    "lead": "becca.bradd@example.org",  # leads PEO, MED and ENG
    "admin": "sarah.collins@example.org",
}
# The statement's list is the one iterated here (tests/test_accessibility_statement.py).
PAGES = TESTED_PAGES
KEYBOARD_PAGES = tuple(p for p in PAGES if p.keyboard)

# Everything the Tab key should reach: visible, enabled, not taken out of the tab order.
FOCUSABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]'))
  .filter(el => !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden'
    && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map((el, i) => { el.dataset.tabCheck = String(i); return String(i); })"""


def open_as(page: Page, tested: TestedPage) -> None:
    if tested.role != "anonymous":
        sign_in(page, ACCOUNTS[tested.role])
    response = page.goto(tested.address(PROGRAMME))
    assert response is not None and response.status == 200, tested.path
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1").first).to_be_visible()


def in_view_horizontally(locator: Locator) -> None:
    """Shown, and wholly within the phone's width once scrolled to."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


@pytest.mark.parametrize("tested", PAGES, ids=[p.name for p in PAGES])
def test_page_at_desktop_and_phone_widths(
    anonymous_page: Page, check_accessibility: Check, tested: TestedPage
) -> None:
    page = anonymous_page
    open_as(page, tested)
    check_accessibility(page)
    fits_375(page)
    page.set_viewport_size(PHONE)
    check_accessibility(page)
    link = page.locator("footer a", has_text="Accessibility statement")
    in_view_horizontally(link)
    assert link.get_attribute("href") == "/accessibility"


@pytest.mark.parametrize("tested", KEYBOARD_PAGES, ids=[p.name for p in KEYBOARD_PAGES])
def test_the_tab_key_reaches_every_control(anonymous_page: Page, tested: TestedPage) -> None:
    page = anonymous_page
    open_as(page, tested)
    wanted = page.evaluate(FOCUSABLE)
    assert wanted, "nothing to reach"
    reached: list[str] = []
    page.locator("body").focus()
    for _ in range(len(wanted) + 5):
        page.keyboard.press("Tab")
        mark = page.evaluate("() => document.activeElement?.dataset?.tabCheck ?? null")
        if mark is not None and mark not in reached:
            reached.append(mark)
    missing = [m for m in wanted if m not in reached]
    assert not missing, f"the Tab key never reached {len(missing)} of {len(wanted)} controls"
    # In the order of the page.
    assert reached == sorted(reached, key=int)


def test_a_leads_actions_stay_in_view_on_a_phone(anonymous_page: Page) -> None:
    page = anonymous_page
    sign_in(page, ACCOUNTS["lead"])
    page.set_viewport_size(PHONE)
    page.goto(f"{PROGRAMME}/my-workstreams")
    row = page.locator("tr[data-ref='PEO-09']")
    for name in ("Mark complete", "Forecast", "Block"):
        in_view_horizontally(row.get_by_role("link", name=f"{name} PEO-09"))
    in_view_horizontally(row.locator(".nhsuk-tag", has_text="Red"))  # its RAG
    in_view_horizontally(page.get_by_role("link", name="Write this week's highlight for PEO"))
    # And they work from there: Mark complete opens its form.
    row.get_by_role("link", name="Mark complete PEO-09").click()
    expect(page).to_have_url(re.compile(r"/milestones/PEO-09/complete"))
    expect(page.locator("h1")).to_have_text("Mark complete")

    page.goto(f"{PROGRAMME}/milestones/PEO-09")
    actions = page.locator("#progress-actions")
    for name in ("Mark complete", "Set a forecast date", "Mark blocked"):
        in_view_horizontally(actions.get_by_role("link", name=name))


def test_rag_columns_stay_in_view_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{PROGRAMME}/")
    row = page.locator("#workstreams + .nhsuk-table-container tbody tr").first
    for label in ("Schedule RAG", "Reported RAG"):
        in_view_horizontally(row.locator(f"td[data-label='{label}'] .nhsuk-tag"))
    page.goto(f"{PROGRAMME}/milestones/")
    in_view_horizontally(page.locator("#milestones tbody tr").first.locator("td[data-label=RAG]"))
    in_view_horizontally(page.locator("#milestone-pages"))
