"""A forecast's effect before it is saved (issue 18): the pure comparison of two forecasts
(tracker/domain/forecast_effect.py) on a small plan, and the two-step pages for the lead's
forecast and the programme office's milestone edit on the seed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from tests.helpers import audit_count, fresh_milestone, page, programme, soup
from tests.test_planning import form_values
from tracker.audit import Actor, acting_as
from tracker.domain.forecast_effect import Plan, effect, forecast_change, plan_change
from tracker.extensions import db
from tracker.scheduling import PlannedDependency, PlannedMilestone, WorkingCalendar
from tracker.services.optimistic_locking import opened_now

BASE = "/p/kent-and-medway"

# --- the domain: a small plan ---------------------------------------------------------------
# A (activity) -> B (point, 13 May) -> GO (go-live, 20 May); C (6 May) feeds nothing.
# Go-live has 5 working days of slack (16 to 20 May).


def small_plan() -> Plan:
    def point(ref: str, workstream: str, due: date) -> PlannedMilestone:
        return PlannedMilestone(ref, ref, workstream, "Owner", "point", None, due, "not_started")

    milestones = (
        PlannedMilestone(
            "A",
            "Draft",
            "FIN",
            "Ann",
            "activity",
            date(2022, 4, 4),
            date(2022, 4, 29),
            "in_progress",
        ),
        point("B", "FIN", date(2022, 5, 13)),
        point("C", "ENG", date(2022, 5, 6)),
        point("GO", "GOV", date(2022, 5, 20)),
    )
    return Plan(
        milestones,
        (PlannedDependency("A", "B"), PlannedDependency("B", "GO")),
        go_live_ref="GO",
        go_live_target=date(2022, 5, 20),
        today=date(2022, 4, 4),
        calendar=WorkingCalendar(date(2022, 1, 3), "ENG"),
    )


def forecast_on(plan: Plan, ref: str, day: date | None) -> Any:
    found = plan.milestone(ref)
    assert found is not None
    return effect(plan, forecast_change(found, day))


def test_a_forecast_within_the_slack_says_how_much_it_uses() -> None:
    e = forecast_on(small_plan(), "B", date(2022, 5, 18))
    assert e.sentence == "Saving this uses 3 of the 5 working days of slack before go-live."
    assert e.milestone_sentence == "B has 5 working days of float; this uses 3."
    assert (e.float_before, e.float_after, e.go_live_moves) == (5, 2, False)
    assert e.uses_slack and e.needs_confirming


def test_a_forecast_past_the_slack_moves_go_live() -> None:
    e = forecast_on(small_plan(), "B", date(2022, 5, 25))
    assert (
        e.sentence == "Saving this moves go-live from 20 May to 25 May 2022 (3 working days late)."
    )
    assert (
        e.milestone_sentence == "B has 5 working days of float; this needs 8: all of it and 3 more."
    )
    assert (e.go_live_before, e.go_live_after, e.slip_after) == (
        date(2022, 5, 20),
        date(2022, 5, 25),
        3,
    )
    assert (e.status_before, e.status_after) == ("at risk", "off track")
    assert {(c.workstream, c.before, c.after) for c in e.rag_changes} == {
        ("FIN", "green", "red"),
        ("GOV", "green", "red"),
    }
    assert e.moved_refs == ()  # go-live is said apart, not listed as another milestone


def test_using_all_the_slack_names_what_else_moves() -> None:
    e = forecast_on(small_plan(), "A", date(2022, 5, 20))
    assert e.sentence == "Saving this uses all 5 working days of slack before go-live."
    assert e.moved_refs == ("B",)
    assert e.moved[0].before == date(2022, 5, 13) and e.moved[0].after == date(2022, 5, 20)
    assert e.moved_sentence == "It also moves 1 other milestone: B."


def test_a_forecast_within_its_own_float_has_no_effect_on_go_live() -> None:
    e = forecast_on(small_plan(), "A", date(2022, 5, 6))
    assert e.sentence == "Saving this has no effect on go-live."
    assert e.milestone_sentence == "A has 14 working days of float; this uses 4."
    assert not e.uses_slack and not e.needs_confirming


def test_a_milestone_pushed_after_go_live_that_feeds_nothing_asks_to_confirm() -> None:
    e = forecast_on(small_plan(), "C", date(2022, 5, 27))
    assert e.sentence == "Saving this has no effect on go-live."
    assert e.after_go_live_added == ("C",)
    assert not e.uses_slack and e.needs_confirming
    assert e.after_go_live_sentence == (
        "It puts C after go-live, which does not wait for it: check its links."
    )


def test_an_edit_of_the_due_date_and_taking_a_forecast_away() -> None:
    plan = small_plan()
    b = plan.milestone("B")
    assert b is not None
    e = effect(plan, plan_change(b, due=date(2022, 5, 19), planned_start=None, kind="point"))
    assert e.sentence == "Saving this uses 4 of the 5 working days of slack before go-live."
    late = plan.with_changes(forecast_change(b, date(2022, 5, 25)))
    back = forecast_on(late, "B", None)
    assert back.sentence == (
        "Saving this brings go-live forward from 25 May to 20 May 2022 (on the target date)."
    )
    assert back.milestone_sentence == "B has no float; this gives it 5 working days."
    assert not back.uses_slack


def test_a_change_to_a_milestone_not_in_the_plan_is_refused() -> None:
    stranger = PlannedMilestone(
        "X", "X", "FIN", "O", "point", None, date(2022, 5, 1), "not_started"
    )
    with pytest.raises(ValueError, match="X"):
        small_plan().with_changes(stranger)


# --- the lead's forecast, in two steps ------------------------------------------------------


def forecast_form(ref: str, **fields: str) -> dict[str, Any]:
    return {"version": fresh_milestone(ref).version, "opened_at": opened_now(), **fields}


def step(client: FlaskClient, url: str, shown: BeautifulSoup, button: str = "confirm") -> Any:
    """Press a button of the confirm step: its hidden fields, as the browser sends them."""
    form = shown.find("form", id="confirm-form")
    assert form is not None, "no confirm step"
    data = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    return client.post(url, data={**data, button: "yes"})


LATE = {"forecast_date": "2022-07-05", "forecast_reason": "Pensions set-up slipped"}


def test_a_forecast_that_moves_go_live_is_shown_before_it_is_saved(
    lead_client: FlaskClient,
) -> None:
    url = f"{BASE}/milestones/PEO-14/forecast"
    events = audit_count()
    shown = page(lead_client.post(url, data=forecast_form("PEO-14", **LATE)))
    assert shown.find("h1").get_text(strip=True) == "Check the effect of the forecast"
    assert shown.find(id="effect-sentence").get_text(strip=True) == (
        "Saving this moves go-live from 1 July to 5 July 2022 (2 working days late)."
    )
    assert "PEO-14 has 3 working days of float" in shown.find(id="effect-milestone").text
    assert "1 July 2022" in shown.find(id="effect-go-live").text
    assert "Off track" in shown.find(id="effect-status").text
    # Nothing saved until confirmed.
    assert fresh_milestone("PEO-14").forecast_date is None
    assert audit_count() == events

    saved = step(lead_client, url, shown)
    assert saved.status_code == 302
    stored = fresh_milestone("PEO-14")
    assert stored.forecast_date == date(2022, 7, 5)
    assert stored.forecast_reason == LATE["forecast_reason"]
    assert "Off track" in soup(lead_client, f"{BASE}/").text


def test_change_forecast_goes_back_to_the_form_as_typed(lead_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-14/forecast"
    shown = page(lead_client.post(url, data=forecast_form("PEO-14", **LATE)))
    back = page(step(lead_client, url, shown, "change"))
    assert back.find("h1").get_text(strip=True) == "Set a forecast date"
    assert back.find("input", attrs={"name": "forecast_date"})["value"] == "2022-07-05"
    assert back.find("textarea", attrs={"name": "forecast_reason"}).text == LATE["forecast_reason"]
    assert not back.find(class_="nhsuk-error-summary")
    assert fresh_milestone("PEO-14").forecast_date is None


def test_a_forecast_that_uses_no_slack_is_saved_at_once(lead_client: FlaskClient) -> None:
    # PEO-10 is already forecast for 16 May: 6 May changes nothing downstream.
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/forecast",
        data=forecast_form("PEO-10", forecast_date="2022-05-06", forecast_reason="Brought forward"),
    )
    assert response.status_code == 302
    assert fresh_milestone("PEO-10").forecast_date == date(2022, 5, 6)


def test_a_forecast_the_rules_refuse_shows_its_errors_not_its_effect(
    lead_client: FlaskClient,
) -> None:
    response = lead_client.post(
        f"{BASE}/milestones/PEO-14/forecast",
        data=forecast_form("PEO-14", forecast_date="2022-07-05", forecast_reason=""),
    )
    shown = page(response)
    assert shown.find(id="confirm-form") is None
    assert "Say why" in shown.find(id="forecast_reason-error").text
    assert fresh_milestone("PEO-14").forecast_date is None


def test_the_confirm_step_still_refuses_a_stale_version(lead_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-14/forecast"
    shown = page(lead_client.post(url, data=forecast_form("PEO-14", **LATE)))
    with acting_as(Actor("Sarah Collins")):  # the programme office changes PEO-14 meanwhile
        fresh_milestone("PEO-14").title = "Staff transferred to the ICB"
        db.session.commit()
    refused = page(step(lead_client, url, shown))
    assert "Someone else changed this" in refused.find(id="edit-conflict").text
    assert fresh_milestone("PEO-14").forecast_date is None
    # What was typed is kept on the form.
    assert refused.find("input", attrs={"name": "forecast_date"})["value"] == "2022-07-05"


def test_a_plan_changed_since_shows_the_effect_again(lead_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-14/forecast"
    shown = page(lead_client.post(url, data=forecast_form("PEO-14", **LATE)))
    with acting_as(Actor("Sarah Collins")):  # another milestone changes meanwhile
        fresh_milestone("PEO-13").title = "Pension records transferred"
        db.session.commit()
    again = page(step(lead_client, url, shown))
    assert again.find(id="plan-changed") is not None
    assert fresh_milestone("PEO-14").forecast_date is None
    assert step(lead_client, url, again).status_code == 302
    assert fresh_milestone("PEO-14").forecast_date == date(2022, 7, 5)


# --- the programme office's edit ------------------------------------------------------------


def edit_values(client: FlaskClient, ref: str) -> dict[str, str]:
    return form_values(soup(client, f"{BASE}/milestones/{ref}/edit"))


def test_an_edit_that_uses_slack_is_confirmed_first(admin_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-11/edit"
    data = {**edit_values(admin_client, "PEO-11"), "planned_start": "2022-06-13"}
    data["due_date"] = "2022-06-30"
    shown = page(admin_client.post(url, data=data))
    assert shown.find("h1").get_text(strip=True) == "Check the effect of the changes"
    assert "Saving this" in shown.find(id="effect-sentence").text
    assert fresh_milestone("PEO-11").due_date == date(2022, 5, 20)
    assert step(admin_client, url, shown).status_code == 302
    moved = fresh_milestone("PEO-11")
    assert (moved.planned_start, moved.due_date) == (date(2022, 6, 13), date(2022, 6, 30))
    assert moved.is_key == (data.get("is_key") == "y")


def test_an_edit_of_the_title_alone_is_saved_at_once(admin_client: FlaskClient) -> None:
    data = {**edit_values(admin_client, "PEO-11"), "title": "Transfer letters sent"}
    response = admin_client.post(f"{BASE}/milestones/PEO-11/edit", data=data)
    assert response.status_code == 302
    assert fresh_milestone("PEO-11").title == "Transfer letters sent"


def test_the_effect_is_read_from_the_schedule_the_pages_show(app: Any) -> None:
    from tracker.services.forecast_effect import forecast_effect

    with app.test_request_context():
        e = forecast_effect(programme(), "PEO-14", date(2022, 6, 30))
    assert e is not None
    assert e.sentence == "Saving this uses 2 of the 3 working days of slack before go-live."
