"""The RAID log in headless Chromium: the register with its heatmap, a risk's page, the risk
forms in their error states, the issue and decision logs, each checked with axe-core at
WCAG 2.2 AA. The forms change data, so this module runs on a database of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_of_its_own, serving, sign_in
from tests.conftest import ScratchDatabases

pytestmark = pytest.mark.browser

PROGRAMME = "/p/kent-and-medway"
ADMIN = "sarah.collins@example.org"
Check = Callable[[Page], None]
Screenshot = Callable[..., Path]


@pytest.fixture(scope="module")
def raid_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    with app_of_its_own(scratch, "raid") as app:
        yield app


@pytest.fixture(scope="module")
def live_server(raid_app: Flask) -> Iterator[str]:
    with serving(raid_app) as url:
        yield url


def open_page(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    expect(page.locator("h1")).to_be_visible()


def listed(page: Page) -> list[str]:
    return page.locator("#risk-list-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.ref)"
    )


def test_the_register_heatmap_and_a_risk_page(
    page: Page, check_accessibility: Check, save_screenshot: Screenshot
) -> None:
    open_page(page, f"{PROGRAMME}/risks/")
    expect(page.locator("#heatmap [role=cell]")).to_have_count(25)
    assert len(listed(page)) == 7
    check_accessibility(page)
    save_screenshot(page, "risk-register", height=2600)

    # A click on a cell lists the risks in it, and the page is still accessible.
    page.locator("#heatmap [data-consequence='4'][data-likelihood='3'] a").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?consequence=4&likelihood=3#risk-list")
    # The URL changes before the new page has loaded: wait for the list itself.
    expect(page.locator("#risk-list-table tbody tr")).to_have_count(4)
    assert sorted(listed(page)) == ["R01", "R02", "R05", "R06"]
    check_accessibility(page)

    page.get_by_role("link", name="R06", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "R06 Loss of key staff and clinical membership during transition"
    )
    open_page(page, f"{PROGRAMME}/risks/R03")
    expect(page.locator("#trend")).to_contain_text("Up from 12")
    check_accessibility(page)
    save_screenshot(page, "risk-page", height=2600)

    # The dashboard's heatmap card beside the top risks.
    open_page(page, f"{PROGRAMME}/")
    card = page.locator("#risk-heatmap")
    expect(card.locator("[role=cell][data-consequence='4'][data-likelihood='4']")).to_contain_text(
        "2"
    )
    save_screenshot(page, "dashboard-risks", selector=".nhsuk-grid-row:has(#risk-heatmap)")


def test_the_issue_and_decision_logs(
    page: Page, check_accessibility: Check, save_screenshot: Screenshot
) -> None:
    open_page(page, f"{PROGRAMME}/issues/")
    expect(page.locator("#issues tbody tr")).to_have_count(2)
    check_accessibility(page)
    save_screenshot(page, "issue-log")
    page.get_by_label("Search").fill("consultation")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#issues tbody tr")).to_have_count(1)
    check_accessibility(page)

    open_page(page, f"{PROGRAMME}/decisions/")
    expect(page.locator("#decisions tbody tr")).to_have_count(3)
    check_accessibility(page)
    save_screenshot(page, "decision-log")


def test_the_risk_forms_and_their_error_states(
    anonymous_page: Page, check_accessibility: Check, save_screenshot: Screenshot
) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)

    open_page(page, f"{PROGRAMME}/risks/R01/edit")
    check_accessibility(page)
    save_screenshot(page, "risk-form")
    page.get_by_label("Next review").fill("2021-01-01")
    page.get_by_label("Milestones it threatens").fill("GOV-13, GOV-999")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#review_on-error")).to_contain_text("before the date raised")
    expect(page.locator("#milestones-error")).to_contain_text("GOV-999 is not a milestone")
    expect(page).to_have_title("Error: Edit R01 – Transition tracker")
    check_accessibility(page)

    open_page(page, f"{PROGRAMME}/risks/new")
    check_accessibility(page)
    page.get_by_role("button", name="Add risk").click()
    expect(page.locator("#consequence-error")).to_contain_text("Choose the consequence")
    check_accessibility(page)
    # The error summary takes you to the first radio.
    page.locator(".nhsuk-error-summary a[href='#consequence-1']").click()
    expect(page.locator("#consequence-1")).to_be_focused()

    # A review raises R06's score: the register shows it went up.
    open_page(page, f"{PROGRAMME}/risks/R06/review")
    check_accessibility(page)
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("#note-error")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("4 Likely").check()
    page.get_by_label("What the review found").fill("Two senior HR leavers this month")
    page.get_by_label("Next review").fill("2022-04-25")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator(".tracker-flash")).to_contain_text("score now 16")
    expect(page.locator("#trend")).to_contain_text("Up from 12")
    check_accessibility(page)

    for path, button, error in [
        ("R06/close", "Close risk", "#closed_note-error"),
        ("R06/actions/new", "Add action", "#description-error"),
    ]:
        open_page(page, f"{PROGRAMME}/risks/{path}")
        check_accessibility(page)
        page.get_by_role("button", name=button).click()
        expect(page.locator(error)).to_be_visible()
        check_accessibility(page)


def test_the_issue_and_decision_forms(anonymous_page: Page, check_accessibility: Check) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)
    for path, button, error in [
        ("issues/new", "Add issue", "#title-error"),
        ("issues/I02/close", "Close issue", None),
        ("decisions/new", "Record decision", "#decision-error"),
    ]:
        open_page(page, f"{PROGRAMME}/{path}")
        check_accessibility(page)
        if error is None:
            continue
        page.get_by_role("button", name=button).click()
        expect(page.locator(error)).to_be_visible()
        check_accessibility(page)
