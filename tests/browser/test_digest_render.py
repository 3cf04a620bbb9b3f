"""The digest's HTML part as a lead gets it, drawn by headless Chromium as a mail client
would: what she needs is visible, and opening it asks no host for anything.

The screenshot is kept as the test's artifact ("digest-email.png", in $SCREENSHOT_DIR or the
test's tmp folder).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests import mail
from tests.mail import SmtpServer

pytestmark = pytest.mark.browser

# The SMTP server fixture, made visible to the tests of this module.
smtp_server = mail.smtp_server

LEAD = "becca.bradd@example.org"  # leads PEO, MED and ENG
Screenshot = Callable[..., Path]


@pytest.fixture()
def mail_client(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A browser context as strict as a careful mail client: no scripts, nothing fetched.

    Every request is recorded, then aborted, so nothing leaves the machine."""
    context = browser.new_context(
        viewport={"width": 760, "height": 1000},
        locale="en-GB",
        timezone_id="Europe/London",
        java_script_enabled=False,
    )
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    context.route("**/*", lambda route: route.abort())
    try:
        yield context, requested
    finally:
        context.close()


def the_leads_digest(runner: FlaskCliRunner, server: SmtpServer) -> str:
    result = runner.invoke(args=["digest", "send", "--to", LEAD])
    assert result.exit_code == 0, result.output
    (message,) = server.to(LEAD)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    content: str = html.get_content()
    return content


def test_the_leads_digest_renders_with_nothing_fetched(
    runner: FlaskCliRunner,
    smtp_server: SmtpServer,
    mail_client: tuple[BrowserContext, list[str]],
    save_screenshot: Screenshot,
) -> None:
    context, requested = mail_client
    page: Page = context.new_page()

    page.set_content(the_leads_digest(runner, smtp_server), wait_until="load")

    expect(page.get_by_role("heading", level=1)).to_contain_text("week commencing 4 April 2022")
    expect(page.get_by_text("Go-live at risk")).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue (3)")).to_be_visible()
    overdue = page.locator("h2:has-text('Overdue') + table")
    for ref in ["PEO-09", "DIG-05", "FIN-06"]:
        expect(overdue.get_by_role("link", name=ref, exact=True)).to_be_visible()
    # Hers first, and highlighted: the colour comes from the inlined style, not a stylesheet.
    first = overdue.locator("tr").nth(1)
    expect(first).to_contain_text("PEO-09")
    expect(first.locator("td").first).to_have_css("background-color", "rgb(255, 249, 196)")

    expect(page.get_by_role("heading", name="Workstreams")).to_be_visible()
    workstreams = page.locator("h2:has-text('Workstreams') + table")
    expect(workstreams.locator("tr")).to_have_count(11)  # a header and ten workstreams
    codes = workstreams.locator("tr td:first-child a").all_inner_texts()
    assert codes[:3] == ["PEO", "MED", "ENG"] and len(codes) == 10
    for code in codes:
        expect(workstreams.get_by_role("link", name=code, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Manage your email settings")).to_be_visible()
    # Laid out for a mail client's reading pane: the message is 680 pixels wide at most.
    width = page.evaluate("document.querySelector('table.page').getBoundingClientRect().width")
    assert 600 <= width <= 680

    shot = save_screenshot(page, "digest-email")
    assert shot.exists() and shot.stat().st_size > 10_000
    # Opening the message fetched nothing: no images, fonts, stylesheets or trackers.
    assert requested == []
