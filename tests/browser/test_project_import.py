"""Importing a Microsoft Project plan in headless Chromium, as the programme office would:
the upload page, a file that is not a plan, the preview with what is not carried over, the
confirm. Every page checked with axe-core at WCAG 2.2 AA and at 375 px wide. On a database of
its own: the import adds a workstream."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_of_its_own, fits_375, serving, sign_in
from tests.conftest import ADMIN, ScratchDatabases
from tests.test_project_import import estates_plan
from tracker.project_files import files

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("java")]

Check = Callable[[Page], None]
UPLOAD = "/p/kent-and-medway/import/project"


@pytest.fixture(scope="module")
def project_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    with app_of_its_own(scratch, "project-import") as app:
        yield app


@pytest.fixture(scope="module")
def live_server(project_app: Flask) -> Iterator[str]:
    with serving(project_app) as url:
        yield url


@pytest.fixture(scope="module")
def estates_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small Estates plan as Project XML."""
    path = tmp_path_factory.mktemp("project") / "estates.xml"
    path.write_bytes(files.write_mspdi(estates_plan()))
    return path


def test_import_a_project_plan(
    anonymous_page: Page,
    check_accessibility: Check,
    estates_file: Path,
    tmp_path: Path,
    live_server: str,
) -> None:
    page = anonymous_page
    sign_in(page, ADMIN)
    page.goto(live_server + UPLOAD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from Microsoft Project")
    check_accessibility(page)
    fits_375(page)

    notes = tmp_path / "notes.xml"
    notes.write_text("Just some notes, not a plan.\n" * 20)
    page.get_by_label("Microsoft Project file to import").set_input_files(str(notes))
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("notes.xml")
    check_accessibility(page)

    page.get_by_label("Microsoft Project file to import").set_input_files(str(estates_file))
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_url(re.compile(r"/import/project/preview$"))
    expect(page.locator("#new-workstreams")).to_contain_text("EST: Estates")
    expect(page.locator("#milestones-counts")).to_contain_text("2 new")
    expect(page.locator("#unmatched-resources")).to_contain_text("Someone Unknown")
    check_accessibility(page)
    fits_375(page)

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".tracker-flash")).to_contain_text("Imported estates.xml")
    check_accessibility(page)
