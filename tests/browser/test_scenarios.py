"""What-if scenarios in headless Chromium: a board member asks "if this slips" from a milestone
page, keeps it as a scenario, adds a second slip and sees go-live move; a bad edit shows its
message by its field. Every page passes axe-core at WCAG 2.2 AA and fits a 375 px phone. The
module has a database of its own: making scenarios changes data (never the plan)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_of_its_own, fits_375, serving
from tests.conftest import ScratchDatabases

pytestmark = pytest.mark.browser
Check = Callable[[Page], None]

PROGRAMME = "/p/kent-and-medway"


@pytest.fixture(scope="module")
def scenarios_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    with app_of_its_own(scratch, "scenarios") as app:
        yield app


@pytest.fixture(scope="module")
def live_server(scenarios_app: Flask) -> Iterator[str]:
    with serving(scenarios_app) as url:
        yield url


def test_a_board_member_asks_what_if_and_keeps_it_as_a_scenario(
    page: Page, check_accessibility: Check
) -> None:
    page.goto(f"{PROGRAMME}/milestones/PEO-09")
    page.get_by_label("If this slips (working days)").fill("8")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("If PEO-09 slips 8 working days")
    expect(page.locator("#quick-sentence")).to_contain_text(
        "If PEO-09 slips 8 working days, go-live moves from 1 July to 8 July 2022"
    )
    check_accessibility(page)
    fits_375(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Keep as a scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PEO-09 slips 8 working days")
    expect(page.locator("#edit-list li")).to_have_count(1)

    # A second slip, on the form a programme officer fills in.
    page.get_by_label("Milestone reference").fill("PEO-13")
    page.get_by_label("Slips by (working days)").fill("10")
    page.get_by_role("button", name="Add the edit").click()
    expect(page.locator("#edit-list li")).to_have_count(2)
    sentence = page.locator("#what-it-does-sentence")
    expect(sentence).to_contain_text(re.compile(r"go-live moves from 1 July to \d+ July 2022"))
    expect(page.locator("#what-it-does-go-live")).to_contain_text("1 July 2022")
    check_accessibility(page)
    fits_375(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # A milestone the plan does not have: said by its field, nothing added.
    page.get_by_label("Milestone reference").fill("FIN-99")
    page.get_by_label("Slips by (working days)").fill("3")
    page.get_by_role("button", name="Add the edit").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#ref-error")).to_contain_text("FIN-99 is not in the plan")
    expect(page.locator("#edit-list li")).to_have_count(2)
    check_accessibility(page)
    fits_375(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("#on-the-gantt").click()
    expect(page.locator("#scenario-notice")).to_contain_text("This is the scenario")
    page.goto(f"{PROGRAMME}/scenarios/")
    expect(page.locator("#my-scenarios")).to_contain_text("PEO-09 slips 8 working days")
    check_accessibility(page)
    fits_375(page)


def test_the_dashboard_and_a_milestone_beside_a_scenario(
    page: Page, check_accessibility: Check
) -> None:
    page.goto(f"{PROGRAMME}/scenarios/quick?ref=PEO-09&days=15")
    page.get_by_label("Name of the scenario").fill("TUPE slips three weeks")
    page.get_by_role("button", name="Keep as a scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("TUPE slips three weeks")

    page.locator("#on-the-dashboard").click()
    expect(page).to_have_title(re.compile("^Dashboard beside the scenario TUPE slips three weeks"))
    panel = page.locator("#scenario-panel")
    expect(panel.locator("#scenario-heading")).to_have_text(
        "Beside the scenario TUPE slips three weeks"
    )
    expect(panel.locator("#scenario-go-live")).to_contain_text("19 July 2022")
    expect(panel.locator("#scenario-milestones tbody tr")).to_have_count(5)
    check_accessibility(page)
    fits_375(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    panel.locator("#scenario-milestones tbody a").first.click()
    expect(page.locator("#scenario-notice")).to_contain_text("Beside the scenario")
    expect(page.locator("#in-the-scenario")).to_contain_text("15 working days later")
    check_accessibility(page)
    fits_375(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The form for a new milestone, with a mistake in it.
    page.locator("#scenario-notice a").first.click()
    page.get_by_role("link", name="Add a milestone").click()
    page.get_by_label("Reference of the new milestone").fill("PEO-30")
    page.get_by_role("button", name="Add the edit").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("#title-error")).to_contain_text("Enter the new milestone's title")
    check_accessibility(page)
    fits_375(page)
