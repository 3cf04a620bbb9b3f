"""A new transition programme in headless Chromium, as a programme office would start one: the
instance administrator starts it from the ICB merger template (a preview first), invites a
workstream lead by email, and the lead follows the link, sets a password and lands in the
programme. Every new page, and its error states, checked with axe-core at WCAG 2.2 AA and at
375 px wide. On a database of its own: it creates a programme and an account."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Traffic, app_of_its_own, fits_375, serving, sign_in
from tests.conftest import ADMIN, ScratchDatabases
from tests.mail import SmtpServer, point_app_at

pytestmark = pytest.mark.browser
Check = Callable[[Page], None]

NAME = "Sussex and Surrey Heartlands ICB merger"
SLUG = "sussex-and-surrey-heartlands-icb-merger"
NEWCOMER = "amara.osei@example.org"
PASSWORD = "a long enough passphrase 2023"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def new_programme_app(scratch: ScratchDatabases, smtp: SmtpServer) -> Iterator[Flask]:
    with app_of_its_own(scratch, "new-programme") as app:
        point_app_at(app, smtp)
        yield app


@pytest.fixture(scope="module")
def live_server(new_programme_app: Flask) -> Iterator[str]:
    with serving(new_programme_app) as url:
        yield url


def test_start_a_programme_from_the_merger_template_invite_a_lead_and_sign_in_as_them(
    anonymous_page: Page, check_accessibility: Check, smtp: SmtpServer, traffic: Traffic
) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)

    # The instance administrator starts a programme from the header.
    page.get_by_role("link", name="Start a new programme").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("new programme", re.I))
    check_accessibility(page)
    fits_375(page)

    page.get_by_role("button", name="Continue").click()  # nothing chosen yet
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    check_accessibility(page)

    page.get_by_label("ICB merger (2026-27)").check()
    page.get_by_label("Programme name").fill(NAME)
    page.get_by_label("Organisations that close").fill(
        "NHS Sussex ICB and NHS Surrey Heartlands ICB"
    )
    page.get_by_label("Organisation it becomes").fill("NHS Sussex and Surrey Heartlands ICB")
    page.get_by_label("Go-live date").fill("2023-07-03")
    page.get_by_label("England", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    # The preview: every milestone on a working day, the critical path, the slack.
    expect(page).to_have_url(re.compile(r"/programmes/new/preview\?"))
    expect(page.locator("#headline-text")).to_contain_text("Go-live 3 July 2023")
    expect(page.locator("#critical-path")).to_be_visible()
    check_accessibility(page)
    fits_375(page)
    page.get_by_role("button", name="Create programme").click()

    expect(page).to_have_url(re.compile(rf"/p/{SLUG}/$"))
    expect(
        page.locator(".nhsuk-notification-banner, .nhsuk-inset-text, [role=alert]").first
    ).to_be_visible()
    check_accessibility(page)

    # The programme office invites a workstream lead.
    page.goto(f"/p/{SLUG}/people")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page)
    fits_375(page)
    page.get_by_role("button", name="Add a person").click()
    check_accessibility(page)
    page.get_by_role("button", name="Add this person").click()  # empty: every field named
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Full name").fill("Amara Osei")
    page.get_by_label("Job title").fill("Director of Finance")
    page.get_by_label("Email address").fill(NEWCOMER)
    page.get_by_label("Workstream lead", exact=True).check()
    page.locator("input[name=workstreams]").first.check()
    page.get_by_role("button", name="Add this person").click()
    expect(page.get_by_text("Amara Osei").first).to_be_visible()
    check_accessibility(page)

    # The email arrived at the relay; its link sets her password, once.
    [invitation] = [m for m in smtp.messages if NEWCOMER in str(m["To"])]
    body = invitation.get_body(preferencelist=("plain",))
    assert body is not None
    [link] = re.findall(r"https?://\S+/invitations/\S+", body.get_content())
    path = urlsplit(link).path

    page.get_by_role("button", name="Sign out").first.click()
    page.goto(path)
    expect(page.get_by_text(NAME).first).to_be_visible()
    check_accessibility(page)
    fits_375(page)
    page.get_by_label("Choose a password").fill("short")
    page.get_by_label("Type the password again").fill("different")
    page.get_by_role("button").filter(
        has_text=re.compile("password|accept|join", re.I)
    ).first.click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button").filter(
        has_text=re.compile("password|accept|join", re.I)
    ).first.click()

    # Signed in as the lead, in the new programme, and only there.
    expect(page).to_have_url(re.compile(rf"/p/{SLUG}/"))
    expect(page.get_by_role("link", name=re.compile("Amara Osei")).first).to_be_visible()
    check_accessibility(page)
    traffic.expect(404, "/p/kent-and-medway/")
    response = page.goto("/p/kent-and-medway/")
    assert response is not None and response.status == 404

    # The link works once.
    page.get_by_role("button", name="Sign out").first.click()
    traffic.expect(404, path)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This invitation link is no longer valid"
    )
    check_accessibility(page)


def test_the_programme_offices_settings_pages_and_their_errors(
    anonymous_page: Page, check_accessibility: Check
) -> None:
    """Settings, workstreams, a workstream's form, saving as a template, a person's page and
    moving go-live with the plan, each as it opens and with its errors, on Kent and Medway."""
    page = anonymous_page
    sign_in(page, ADMIN)
    base = "/p/kent-and-medway"

    page.goto(f"{base}/settings")
    check_accessibility(page)
    fits_375(page)
    page.get_by_label("Programme name").fill("")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{base}/settings/workstreams")
    check_accessibility(page)
    fits_375(page)
    page.goto(f"{base}/settings/workstreams/new")
    page.get_by_role("button", name="Add workstream").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)
    fits_375(page)

    page.goto(f"{base}/save-as-template")
    check_accessibility(page)
    page.get_by_role("button", name="Save as template").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)

    page.goto(f"{base}/people")
    page.get_by_role("link", name="Change Becca Bradd").click()
    check_accessibility(page)
    fits_375(page)

    # Go-live with every open milestone: the preview, which saves nothing.
    page.goto(f"{base}/go-live")
    page.get_by_role("button", name="Change go-live target").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("New go-live date").fill("2022-10-03")
    page.get_by_label("Reason for the change").fill("Letter of 1 April 2022")
    page.get_by_label("Yes, every open milestone").check()
    page.get_by_role("button", name="Change go-live target").click()
    expect(page.get_by_role("button", name="Confirm and move")).to_be_visible()
    expect(page.get_by_text("Before go-live moved to 3 October 2022").first).to_be_visible()
    check_accessibility(page)
    fits_375(page)
