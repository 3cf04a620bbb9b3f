"""A lead's forecast that uses up slack, in headless Chromium: the effect shown first, "Change
forecast" back to the form as typed, "Save forecast" saving it. Each page checked with axe-core
at WCAG 2.2 AA and on a 375 px phone. On a database of its own: it changes the plan."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_of_its_own, fits_375, serving, sign_in
from tests.conftest import LEAD, ScratchDatabases

pytestmark = pytest.mark.browser

PROGRAMME = "/p/kent-and-medway"
Check = Callable[[Page], None]


@pytest.fixture(scope="module")
def effect_app(scratch: ScratchDatabases) -> Iterator[Flask]:
    with app_of_its_own(scratch, "forecast_effect") as app:
        yield app


@pytest.fixture(scope="module")
def live_server(effect_app: Flask) -> Iterator[str]:
    with serving(effect_app) as url:
        yield url


def test_a_lead_sees_what_a_late_forecast_does_before_saving_it(
    anonymous_page: Page, check_accessibility: Check
) -> None:
    page = anonymous_page
    sign_in(page, LEAD)
    page.goto(f"{PROGRAMME}/milestones/PEO-14/forecast")
    page.get_by_label("Forecast date").fill("2022-07-05")
    page.get_by_label("Why has the date moved?").fill("Pensions set-up slipped a week")
    page.get_by_role("button", name="Save forecast").click()

    # The effect first; nothing saved yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the effect of the forecast")
    expect(page.locator("#effect-sentence")).to_have_text(
        "Saving this moves go-live from 1 July to 5 July 2022 (2 working days late)."
    )
    expect(page.locator("#effect-status")).to_contain_text("Off track")
    check_accessibility(page)
    fits_375(page)

    # Back to the form, as typed.
    page.get_by_role("button", name="Change forecast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a forecast date")
    expect(page.get_by_label("Forecast date")).to_have_value("2022-07-05")
    expect(page.get_by_label("Why has the date moved?")).to_have_value(
        "Pensions set-up slipped a week"
    )
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)

    # A day earlier uses 2 of the 3 days of slack instead; confirm it.
    page.get_by_label("Forecast date").fill("2022-06-30")
    page.get_by_role("button", name="Save forecast").click()
    expect(page.locator("#effect-sentence")).to_have_text(
        "Saving this uses 2 of the 3 working days of slack before go-live."
    )
    check_accessibility(page)
    page.get_by_role("button", name="Save forecast").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("PEO-14")
    expect(page.get_by_text("The forecast for PEO-14 is saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("as forecast by Becca Bradd")
    check_accessibility(page)
