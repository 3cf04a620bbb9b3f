"""The accessibility statement: public, linked from every page's footer, in the form the
Public Sector Bodies Accessibility Regulations 2018 expect, and true to the tests: the pages it
says were tested are the very list the browser tests iterate (tests/browser/test_narrow.py)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.browser import test_narrow
from tests.conftest import EMAIL_BY_ROLE, sign_in_as
from tracker.main.accessibility import SIGNED_IN_AS, TESTED_PAGES, TestedPage

STATEMENT = "/accessibility"
PROGRAMME = "/p/kent-and-medway"


def statement(client: FlaskClient) -> BeautifulSoup:
    response = client.get(STATEMENT)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(page: BeautifulSoup) -> str:
    return " ".join(page.get_text(" ").split())


def test_anyone_can_read_it_without_signing_in(anonymous_client: FlaskClient) -> None:
    page = statement(anonymous_client)
    assert page.h1.text == "Accessibility statement for the transition tracker"


def test_it_has_the_sections_of_the_model_statement(anonymous_client: FlaskClient) -> None:
    page = statement(anonymous_client)
    headings = [h.get_text(" ", strip=True) for h in page.find_all(["h2", "h3", "h4"])]
    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Preparation of this accessibility statement",
        "How we tested this website",
    ):
        assert heading in headings, heading
    words = text(page)
    assert (
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
        "Regulations 2018" in words
    )
    assert "Equality and Human Rights Commission (EHRC)" in words
    assert "Equality Advisory and Support Service (EASS)" in words
    # Partially compliant: automated checks alone cannot show full compliance.
    status = " ".join(page.find(id="compliance-status").text.split())
    assert status.startswith("This website is partially compliant with the")
    assert "2.2 AA standard" in status
    assert "The Gantt chart's drawing" in words and "table of the chart's data" in words
    assert "prepared on 4 December 2026" in words and "last reviewed on 4 December 2026" in words


def test_problems_are_reported_to_the_configured_address(
    app: Flask, anonymous_client: FlaskClient
) -> None:
    default = app.config["ACCESSIBILITY_CONTACT_EMAIL"]
    assert default.endswith("@example.org")
    assert statement(anonymous_client).find("a", href=f"mailto:{default}") is not None
    app.config["ACCESSIBILITY_CONTACT_EMAIL"] = "access@example.org"
    try:
        mailto = statement(anonymous_client).find_all("a", href="mailto:access@example.org")
        assert len(mailto) == 2  # feedback, and reporting a problem
    finally:
        app.config["ACCESSIBILITY_CONTACT_EMAIL"] = default


def test_the_pages_it_lists_are_the_pages_the_browser_tests_check(
    anonymous_client: FlaskClient,
) -> None:
    # The browser tests iterate this very list, for every check the statement names.
    assert test_narrow.PAGES is TESTED_PAGES
    assert tuple(p for p in TESTED_PAGES if p.keyboard) == test_narrow.KEYBOARD_PAGES
    marks = test_narrow.test_page_at_desktop_and_phone_widths.pytestmark
    assert [m.args[1] for m in marks if m.name == "parametrize"] == [TESTED_PAGES]
    rows = statement(anonymous_client).find("table", id="tested-pages").tbody.find_all("tr")
    listed = [
        (row["data-path"], *(td.get_text(" ", strip=True) for td in row.find_all("td")))
        for row in rows
    ]
    assert listed == [
        (
            p.path,
            p.name,
            SIGNED_IN_AS[p.role].capitalize(),
            "axe-core at 1,400 and 375 pixels, width at 375 pixels"
            + (", and with the keyboard" if p.keyboard else ""),
        )
        for p in TESTED_PAGES
    ]
    assert len({p.path for p in TESTED_PAGES}) == len(TESTED_PAGES)


def signed_in(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    return client if role == "anonymous" else sign_in_as(client, EMAIL_BY_ROLE[role])


@pytest.mark.parametrize("tested", TESTED_PAGES, ids=[p.name for p in TESTED_PAGES])
def test_every_listed_page_opens_and_links_to_the_statement(app: Flask, tested: TestedPage) -> None:
    # Here without a browser too, so a page that moved fails the quick run as well.
    response = signed_in(app, tested.role).get(tested.address(PROGRAMME))
    assert response.status_code == 200, tested.path
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    footer = page.find("footer")
    assert footer is not None and footer.find("a", href=STATEMENT, string="Accessibility statement")


@pytest.mark.parametrize(
    "path", ["/no-such-page", f"{PROGRAMME}/milestones/NOPE-01", f"{PROGRAMME}/milestones/?page=9"]
)
def test_error_pages_link_to_it_too(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.find("footer").find("a", href=STATEMENT) is not None


# Pages that are not the tracker's own pages: the digest email's HTML, as the email has it.
NOT_PAGES = {"digests.preview"}


def test_every_page_of_the_tracker_links_to_it_in_its_footer(app: Flask) -> None:
    from tests.test_conventions import urls

    client = sign_in_as(app.test_client(), EMAIL_BY_ROLE["admin"])
    checked = 0
    for endpoint, url in urls(app, "GET"):
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue  # a download, a redirect, or a page only reached with more state
        if endpoint in NOT_PAGES:
            continue
        footer = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("footer")
        assert footer is not None and footer.find("a", href=STATEMENT), url
        checked += 1
    assert checked > 40
