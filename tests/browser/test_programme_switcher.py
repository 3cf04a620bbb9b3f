"""Several programmes in headless Chromium: the programmes page and the switcher, which moves
a reader to the same section of another programme; both checked with axe-core at WCAG 2.2 AA.
This module adds a programme, so it runs on a database of its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_of_its_own, serving
from tests.conftest import DEMO_TODAY, ScratchDatabases

pytestmark = pytest.mark.browser
Check = Callable[[Page], None]


def add_a_second_programme() -> None:
    """A second programme, whose board the seed's board member (who signs in here) sits on."""
    from tests.conftest import BOARD_MEMBER
    from tracker.services.accounts import user_by_email
    from tracker.services.memberships import join
    from tracker.services.programmes import list_programmes
    from tracker.services.synthetic import generate_programme

    generate_programme(
        slug="synthetic-9", milestones=40, today=DEMO_TODAY, seed=9, name="Synthetic ICB 9"
    )
    board_member = user_by_email(BOARD_MEMBER)
    assert board_member is not None
    [other] = [p for p in list_programmes() if p.slug == "synthetic-9"]
    join(board_member.person, other, "board")


@pytest.fixture(scope="module")
def live_server(scratch: ScratchDatabases) -> Iterator[str]:
    with app_of_its_own(scratch, "programmes", add_a_second_programme) as app, serving(app) as url:
        yield url


def test_the_programmes_page_and_the_switcher(page: Page, check_accessibility: Check) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Programmes")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    check_accessibility(page)

    page.get_by_role("link", name="Kent and Medway CCG to ICB transition").click()
    page.get_by_role("link", name="Gantt chart").first.click()
    expect(page).to_have_url(re.compile(r".*/p/kent-and-medway/gantt$"))
    switcher = page.get_by_role("combobox", name="Programme")
    expect(switcher).to_have_value("kent-and-medway")
    check_accessibility(page)

    switcher.select_option(label="Synthetic ICB 9")
    page.get_by_role("button", name="Change programme").click()
    expect(page).to_have_url(re.compile(r".*/p/synthetic-9/gantt$"))
    expect(page.locator("h1")).to_have_text("Gantt chart")
    expect(page.get_by_role("combobox", name="Programme")).to_have_value("synthetic-9")
    expect(page.locator("#gantt .gantt-row--m .gantt-bar").first).to_be_visible()  # drawn
    check_accessibility(page)
