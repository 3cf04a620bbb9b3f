"""The lead's workflow and the board's read-only view, in headless Chromium, on a database
of their own (these tests change data; the shared seed must stay as other tests expect).

Every form is checked with axe-core at WCAG 2.2 AA, in its error state as well."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Traffic, app_of_its_own, serving, sign_in
from tests.conftest import ScratchDatabases

pytestmark = pytest.mark.browser

PROGRAMME = "/p/kent-and-medway"
LEAD = "becca.bradd@example.org"
BOARD_MEMBER = "paul.bentley@example.org"
Check = Callable[[Page], None]


@pytest.fixture(scope="module")
def workflow_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    with app_of_its_own(scratch, "workflow") as app:
        yield app


@pytest.fixture(scope="module")
def live_server(workflow_app: Flask) -> Iterator[str]:
    with serving(workflow_app) as url:
        yield url


def completed_figure(page: Page) -> str:
    page.goto(f"{PROGRAMME}/")
    card = page.locator(".nhsuk-card", has=page.get_by_role("heading", name="Milestones complete"))
    return card.locator(".tracker-figure").inner_text()


def test_a_lead_completes_a_milestone_with_evidence(
    anonymous_page: Page, check_accessibility: Check
) -> None:
    page = anonymous_page
    page.goto("/sign-in")
    check_accessibility(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your email address")
    check_accessibility(page)

    sign_in(page, LEAD)
    expect(page).to_have_url(f"{page.url.split('/p/')[0]}{PROGRAMME}/my-workstreams")
    expect(page.get_by_role("heading", name="My workstreams", level=1)).to_be_visible()
    check_accessibility(page)
    assert completed_figure(page) == "48 of 109"

    # From the lead's home: PEO-09 is overdue; tick it off.
    page.goto(f"{PROGRAMME}/my-workstreams")
    overdue = page.locator("h2#overdue + table")
    expect(overdue.locator("tr[data-ref='PEO-09']")).to_be_visible()
    overdue.get_by_role("link", name="Mark complete PEO-09").click()
    expect(page.get_by_role("heading", name="Mark complete", level=1)).to_be_visible()
    expect(page.get_by_label("Date completed")).to_have_value("2022-04-04")
    check_accessibility(page)
    # A key milestone needs evidence: the error state is accessible too.
    page.get_by_role("button", name="Mark complete").click()
    expect(page.locator("#evidence_text-error")).to_contain_text("Give evidence")
    check_accessibility(page)
    page.get_by_label("Evidence", exact=True).fill(
        "Consultation closed on 14 April; outcome to the board"
    )
    page.get_by_role("button", name="Mark complete").click()
    expect(page.locator(".tracker-flash")).to_contain_text("PEO-09 is complete.")
    expect(page.locator("h2#done + table tr[data-ref='PEO-09']")).to_be_visible()

    # The dashboard counts it, and the milestone turns Blue.
    assert completed_figure(page) == "49 of 109"
    page.goto(f"{PROGRAMME}/milestones/PEO-09")
    expect(page.locator("h1 + p .nhsuk-tag--blue")).to_have_text("Blue")
    expect(page.locator("dd", has_text="Consultation closed on 14 April")).to_be_visible()


def test_the_leads_other_forms_are_accessible(
    anonymous_page: Page, check_accessibility: Check
) -> None:
    page = anonymous_page
    sign_in(page, LEAD)
    page.goto(f"{PROGRAMME}/milestones/PEO-10/forecast")
    check_accessibility(page)
    page.get_by_label("Forecast date").fill("2022-04-01")
    page.get_by_role("button", name="Save forecast").click()
    expect(page.locator("#forecast_date-error")).to_contain_text("in the past")
    check_accessibility(page)

    page.goto(f"{PROGRAMME}/milestones/PEO-10/block")
    page.get_by_role("button", name="Mark blocked").click()
    expect(page.locator("#blocked_reason-error")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{PROGRAMME}/workstreams/PEO/highlight")
    check_accessibility(page)
    page.get_by_role("button", name="Save highlight").click()
    expect(page.locator("#rag-error")).to_contain_text("Choose red, amber or green")
    check_accessibility(page)
    page.get_by_label("Amber: at risk").check()
    page.get_by_label("Achievements this week").fill("Consultation closed")
    page.get_by_label("Issues and risks").fill("Pensions dates not confirmed")
    page.get_by_role("button", name="Save highlight").click()
    expect(page.locator("#highlights")).to_contain_text("Amber written")

    page.goto("/account/password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)


def test_a_board_member_sees_no_edit_controls_and_a_forged_post_is_refused(
    anonymous_page: Page, traffic: Traffic
) -> None:
    page = anonymous_page
    sign_in(page, BOARD_MEMBER)
    page.goto(f"{PROGRAMME}/milestones/PEO-10")
    expect(page.get_by_role("heading", level=1)).to_contain_text("PEO-10")
    expect(page.locator("#progress-actions")).to_have_count(0)
    for name in ("Mark complete", "Set a forecast date", "Mark blocked", "Edit", "Delete"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="My workstreams")).to_have_count(0)

    # The request a doctored page would send, with the session's own CSRF token.
    path = f"{PROGRAMME}/milestones/PEO-10/complete"
    traffic.expect(403, path)
    status = page.evaluate(
        """async (path) => {
            const token = document.querySelector("input[name=csrf_token]").value;
            const body = new URLSearchParams({csrf_token: token, completed_on: "2022-04-04",
                                              evidence_text: "forged", version: "1"});
            const response = await fetch(path, {method: "POST", body});
            return response.status;
        }""",
        path,
    )
    assert status == 403
    page.goto(f"{PROGRAMME}/milestones/PEO-10")
    expect(page.locator("h1 + p")).to_contain_text("Not started")
