"""Moving go-live with the plan: the rule over plain data (tracker/domain/go_live_moves.py),
then the pages as the programme office uses them on the seeded Kent and Medway programme.

Seeded today is Monday 4 April 2022, go-live 1 July 2022 (moved from 1 April by the letter
of 24 December 2021), England's bank holidays; 109 milestones, 48 of them complete. The page
tests move go-live on to Monday 3 October 2022: 64 working days (19 September 2022, the
Queen's funeral, was a bank holiday).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.conftest import BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import audit_count, count, error_for, milestone, programme, soup, user
from tests.helpers import page as parse
from tracker.audit import Actor, acting_as
from tracker.domain.go_live_moves import (
    MilestoneDates,
    Scope,
    baseline_label,
    check_new_go_live,
    check_scope,
    done_message,
    plan_move,
    shift_words,
    working_day_shift,
)
from tracker.domain.validation import DateWindow, go_live_window
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Baseline,
    BaselineItem,
    GoLiveTarget,
    Milestone,
)
from tracker.scheduling import WorkingCalendar
from tracker.services.schedule import programme_schedule

BASE = "/p/kent-and-medway"
ADMIN_NAME = "Sarah Collins"
ENGLAND = WorkingCalendar(date(2021, 7, 1), "ENG")
WINDOW = DateWindow(date(2016, 7, 1), date(2027, 7, 1), "the programme's window")


# --- the rule, over plain data ---------------------------------------------------------------


def test_the_2021_move_from_1_april_to_1_july_2022_is_60_working_days_in_england() -> None:
    # Good Friday, Easter Monday, the early May bank holiday, and the spring bank holiday and
    # Platinum Jubilee, moved to Thursday 2 and Friday 3 June 2022.
    for holiday in (date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2)):
        assert not ENGLAND.is_working_day(holiday), holiday
    assert not ENGLAND.is_working_day(date(2022, 6, 3))
    assert ENGLAND.is_working_day(date(2022, 5, 30))  # the usual spring bank holiday
    # April 18, May 21, June 20, 1 July: 60 weekdays that are not bank holidays.
    assert working_day_shift(ENGLAND, date(2022, 4, 1), date(2022, 7, 1)) == 60
    assert working_day_shift(ENGLAND, date(2022, 7, 1), date(2022, 4, 1)) == -60

    move = plan_move(
        [MilestoneDates("GOV-99", None, date(2022, 4, 1))],
        old_go_live=date(2022, 4, 1),
        new_go_live=date(2022, 7, 1),
        calendar=ENGLAND,
    )
    assert move.shift == 60 and shift_words(move.shift) == "60 working days later"
    assert move.moves[0].new_due == date(2022, 7, 1)  # the go-live milestone lands on go-live


def test_open_milestones_move_by_the_working_days_and_complete_ones_never_move() -> None:
    milestones = [
        # An activity of 5 working days, Monday 4 to Friday 8 April 2022, with a forecast.
        MilestoneDates("PEO-01", date(2022, 4, 4), date(2022, 4, 8), date(2022, 4, 22)),
        MilestoneDates("GOV-02", None, date(2022, 5, 13)),  # a point
        MilestoneDates("FIN-03", date(2021, 9, 1), date(2021, 12, 17), complete=True),
    ]
    move = plan_move(
        milestones, old_go_live=date(2022, 4, 1), new_go_live=date(2022, 7, 1), calendar=ENGLAND
    )
    assert [m.ref for m in move.moves] == ["PEO-01", "GOV-02"]
    assert move.complete == ("FIN-03",) and move.due_earlier == ()
    peo = move.moves[0]
    assert (peo.old_start, peo.old_due, peo.old_forecast) == (
        date(2022, 4, 4),
        date(2022, 4, 8),
        date(2022, 4, 22),
    )
    # Easter (15 and 18 April) lies between the due date and the forecast, not after.
    assert (peo.new_start, peo.new_due, peo.new_forecast) == (
        date(2022, 7, 4),
        date(2022, 7, 8),
        date(2022, 7, 20),
    )
    # Each date 60 working days on, so the activity still takes 5 working days.
    for old, new in ((peo.old_start, peo.new_start), (peo.old_due, peo.new_due)):
        assert old and new and ENGLAND.working_days_between(old, new) == 60
    assert ENGLAND.duration(peo.new_start, peo.new_due) == 5  # type: ignore[arg-type]
    point = move.moves[1]
    assert (point.old_start, point.new_start) == (None, None)  # a point stays a point
    assert (point.old_forecast, point.new_forecast) == (None, None)
    assert ENGLAND.working_days_between(point.old_due, point.new_due) == 60


def test_a_date_on_a_non_working_day_moves_to_the_working_day_that_many_on() -> None:
    saturday, good_friday = date(2022, 4, 2), date(2022, 4, 15)
    move = plan_move(
        [
            MilestoneDates("A-01", None, saturday),
            MilestoneDates("A-02", None, good_friday),
        ],
        old_go_live=date(2022, 7, 1),
        new_go_live=date(2022, 7, 4),  # Friday to Monday: one working day later
        calendar=ENGLAND,
    )
    assert move.shift == 1
    assert [m.new_due for m in move.moves] == [date(2022, 4, 4), date(2022, 4, 19)]
    earlier = plan_move(
        [MilestoneDates("A-01", None, saturday)],
        old_go_live=date(2022, 7, 4),
        new_go_live=date(2022, 7, 1),
        calendar=ENGLAND,
    )
    assert earlier.shift == -1 and shift_words(-1) == "1 working day earlier"
    assert earlier.moves[0].new_due == date(2022, 4, 1)  # the Friday before


def test_only_milestones_due_after_the_chosen_date_move() -> None:
    milestones = [
        MilestoneDates("A-01", None, date(2022, 5, 12)),
        MilestoneDates("A-02", None, date(2022, 5, 13)),  # on the date: stays
        MilestoneDates("A-03", date(2022, 5, 1), date(2022, 5, 16)),
        MilestoneDates("A-04", None, date(2022, 6, 1), complete=True),
    ]
    move = plan_move(
        milestones,
        old_go_live=date(2022, 7, 1),
        new_go_live=date(2022, 6, 24),
        calendar=ENGLAND,
        only_after=date(2022, 5, 13),
    )
    assert move.shift == -5 and move.only_after == date(2022, 5, 13)
    assert [m.ref for m in move.moves] == ["A-03"]
    assert move.due_earlier == ("A-01", "A-02") and move.complete == ("A-04",)
    # Sunday 1 May 2022 moved 5 working days earlier: the Monday after is day 0.
    assert move.moves[0].new_start == date(2022, 4, 25)
    assert move.moves[0].new_due == date(2022, 5, 9)


def test_moving_go_live_by_no_working_day_moves_nothing() -> None:
    move = plan_move(
        [MilestoneDates("A-01", None, date(2022, 5, 12))],
        old_go_live=date(2022, 7, 1),
        new_go_live=date(2022, 7, 2),  # the Saturday after
        calendar=ENGLAND,
    )
    assert move.shift == 0 and move.moves == ()
    assert done_message(move, "B") == (
        "Go-live moved to 2 July 2022; no open milestone moved; baseline “B” taken."
    )


def test_the_baseline_is_named_after_the_move_and_never_reuses_a_name() -> None:
    new = date(2022, 7, 1)
    assert baseline_label(new, set()) == "Before go-live moved to 1 July 2022"
    taken = {"Before go-live moved to 1 July 2022", "Before go-live moved to 1 July 2022 (2)"}
    assert baseline_label(new, taken) == "Before go-live moved to 1 July 2022 (3)"


def test_the_move_s_input_is_checked_with_the_words_the_form_shows() -> None:
    window = go_live_window(date(2021, 7, 1))
    assert [
        (e.field, e.message) for e in check_new_go_live(None, date(2022, 7, 1), window, "")
    ] == [
        ("target_date", "Enter the new go-live date"),
        ("reason", "Say why go-live has moved, like the letter or decision"),
    ]
    assert check_new_go_live(date(2022, 7, 1), date(2022, 7, 1), window, "Letter")[0].message == (
        "Go-live is already 1 July 2022"
    )
    assert [e.message for e in check_scope("after", None, WINDOW)] == [
        "Enter the date: open milestones due after it move with go-live"
    ]
    assert [e.message for e in check_scope("after", date(1999, 1, 1), WINDOW)] == [
        "The date 1 January 1999 is outside the programme's window: "
        "enter a date from 1 July 2016 to 1 July 2027"
    ]
    assert check_scope("sideways", None, WINDOW)[0].field == "scope"
    assert check_scope(Scope.NONE, None, WINDOW) == []
    assert check_scope(Scope.NONE, None, WINDOW, moving=True)[0].field == "scope"


# --- reading the database and the pages ------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Everything a move could change, to compare before and after."""
    db.session.expire_all()
    counts = {
        model.__name__: count(model)
        for model in (Milestone, Baseline, BaselineItem, GoLiveTarget, AuditEvent)
    }
    p = programme()
    return {
        **counts,
        "go_live": p.go_live_date,
        "current_baseline": p.current_baseline_id,
        "plan_version": p.plan_version,
        "dates": plan_dates(),
    }


def plan_dates() -> dict[str, tuple[Any, ...]]:
    db.session.expire_all()
    return {
        m.ref: (m.planned_start, m.due_date, m.forecast_date, m.status)
        for m in db.session.scalars(select(Milestone).where(Milestone.programme_id == kent_id()))
    }


def kent_id() -> int:
    return programme().id


def open_form(client: FlaskClient) -> dict[str, str]:
    page = soup(client, f"{BASE}/go-live")
    opened = page.find("input", attrs={"name": "opened_at"})
    assert isinstance(opened, Tag)
    return {"opened_at": str(opened["value"])}


def preview(client: FlaskClient, **data: str) -> BeautifulSoup:
    values = {**open_form(client), "reason": "Royal Assent later still", **data}
    response = client.post(f"{BASE}/go-live", data=values)
    assert response.status_code == 200, response.status_code
    return parse(response)


def confirm_values(page: BeautifulSoup) -> dict[str, str]:
    form = page.find("form", action=f"{BASE}/go-live/confirm")
    assert isinstance(form, Tag), "no confirm form"
    return {
        str(i["name"]): str(i.get("value", ""))
        for i in form.find_all("input", type="hidden")
        if i["name"] != "csrf_token"
    }


def text(page: BeautifulSoup, id_: str) -> str:
    found = page.find(id=id_)
    assert found is not None, id_
    return str(found.get_text(" ", strip=True))


def flash_text(page: BeautifulSoup) -> str:
    return " ".join(f.get_text(" ", strip=True) for f in page.find_all(class_="tracker-flash"))


def as_role(app: Flask, email: str) -> FlaskClient:
    return sign_in_as(app.test_client(), email)


def outsider(app: Flask) -> FlaskClient:
    """Someone with an account but no membership of Kent and Medway."""
    from tracker.services.accounts import create_user

    create_user("outsider@example.org", None, "Olive Outsider")
    return sign_in_as(app.test_client(), "outsider@example.org")


# --- the pages -------------------------------------------------------------------------------


def test_the_go_live_form_offers_to_move_open_milestones_with_it(
    admin_client: FlaskClient,
) -> None:
    page = soup(admin_client, f"{BASE}/go-live")
    legend = page.find("legend")
    assert legend is not None and legend.get_text(strip=True) == "Move open milestones with it?"
    choices = {
        str(r["value"]): page.find("label", attrs={"for": r["id"]}).get_text(strip=True)
        for r in page.find_all("input", type="radio")
    }
    assert choices == {
        "no": "No, only the go-live date",
        "all": "Yes, every open milestone",
        "after": "Yes, open milestones due after a date",
    }
    checked = page.find("input", type="radio", checked=True)
    assert checked is not None and checked["value"] == "no"  # today's behaviour
    assert page.find("input", id="only_after") is not None


def test_the_preview_shows_old_and_new_dates_and_the_float_and_saves_nothing(
    admin_client: FlaskClient,
) -> None:
    before, audited = snapshot(), audit_count()
    schedule = programme_schedule(programme())
    assert schedule is not None
    page = preview(admin_client, target_date="2022-10-03", scope="all")
    assert snapshot() == before and audit_count() == audited

    assert page.find("h1").get_text(strip=True) == "Check the move of go-live to 3 October 2022"
    assert text(page, "go-live-change") == (
        "1 July 2022 to 3 October 2022: moves 64 working days later"
    )
    assert text(page, "moving").startswith("61 open milestones, each 64 working days later")
    assert text(page, "staying") == "48 complete"
    assert text(page, "forecast-go-live") == "1 July 2022 to 3 October 2022"
    assert text(page, "baseline").startswith(
        "“Before go-live moved to 3 October 2022”, of the plan as it is now."
    )
    rows = page.find(id="moves").tbody.find_all("tr")
    assert len(rows) == 61
    peo_09 = [td.get_text(" ", strip=True) for td in page.find(id="move-PEO-09")("td")]
    was = schedule.forecast.milestones["PEO-09"]
    assert peo_09[0] == "PEO-09 Formal staff consultation on transfer to the ICB"
    assert peo_09[1] == ("31 March 2022 to 6 July 2022 Start 1 March 2022 to 6 June 2022")
    assert peo_09[2].startswith("14 April 2022 to ")
    assert was.forecast_due == date(2022, 4, 14)
    assert peo_09[3].split(" ")[0] == str(was.total_float)
    assert page.find(id="move-ANA-01") is None  # complete: it does not move


def test_confirming_moves_go_live_and_every_open_milestone_after_a_baseline(
    admin_client: FlaskClient,
) -> None:
    from tracker.services.go_live_moves import preview_move

    before = snapshot()
    dates = before["dates"]
    expected = preview_move(programme(), date(2022, 10, 3), None)
    page = preview(admin_client, target_date="2022-10-03", scope="all")
    response = admin_client.post(f"{BASE}/go-live/confirm", data=confirm_values(page))
    assert response.status_code == 302
    assert response.location == f"{BASE}/"
    shown = soup(admin_client, response.location)
    assert flash_text(shown) == (
        "Success: Go-live moved to 3 October 2022; 61 open milestones moved 64 working days "
        "later; baseline “Before go-live moved to 3 October 2022” taken."
    )

    after = snapshot()
    assert after["go_live"] == date(2022, 10, 3)
    moved = 0
    for ref, (start, due, forecast, status) in dates.items():
        new = after["dates"][ref]
        if status == "complete":
            assert new == (start, due, forecast, status), ref
            continue
        moved += 1
        assert new[1] == ENGLAND.add_working_days(due, 64), ref
        assert new[0] == (start and ENGLAND.add_working_days(start, 64)), ref
        assert new[2] == (forecast and ENGLAND.add_working_days(forecast, 64)), ref
    assert moved == 61
    assert milestone("GOV-99").due_date == date(2022, 10, 3)

    # The baseline holds the plan as it was: taken before anything moved.
    baseline = db.session.scalar(
        select(Baseline).where(Baseline.label == "Before go-live moved to 3 October 2022")
    )
    assert baseline is not None
    assert baseline.go_live_date == date(2022, 7, 1)
    assert {i.ref: (i.planned_start, i.due_date) for i in baseline.items} == {
        ref: (start, due) for ref, (start, due, _, _) in dates.items()
    }
    assert after["current_baseline"] == before["current_baseline"]  # slip measured as before
    assert after["Baseline"] == before["Baseline"] + 1

    assert after["GoLiveTarget"] == before["GoLiveTarget"] + 1
    target = db.session.scalar(select(GoLiveTarget).order_by(GoLiveTarget.id.desc()))
    assert target is not None
    assert (target.target_date, target.reason, target.set_on) == (
        date(2022, 10, 3),
        "Royal Assent later still",
        date(2022, 4, 4),
    )

    # One audited change: the baseline, go-live, and each milestone's dates, by the admin.
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.id > _last_event_before(before)))
    )
    assert {e.actor for e in events} == {ADMIN_NAME}
    due_changes = [e for e in events if e.entity_type == "Milestone" and e.field == "due_date"]
    assert len(due_changes) == 61
    peo_09 = next(e for e in due_changes if e.entity_label.startswith("PEO-09"))
    assert (peo_09.old_value, peo_09.new_value) == ("2022-03-31", "2022-07-06")
    assert any(e.entity_type == "Baseline" and e.action == "create" for e in events)
    assert any(e.entity_type == "Programme" and e.field == "go_live_date" for e in events)
    baseline_event = min(e.id for e in events if e.entity_type == "Baseline")
    assert baseline_event < min(e.id for e in due_changes)

    # The preview's forecast and float after are what the schedule now says.
    schedule = programme_schedule(programme())
    assert schedule is not None
    assert schedule.forecast.forecast_go_live == expected.forecast_go_live_after
    assert schedule.forecast.go_live_float == expected.go_live_float_after
    for row in expected.rows:
        now = schedule.forecast.milestones[row.ref]
        assert (now.forecast_due, now.total_float) == (row.forecast_after, row.float_after)


def _last_event_before(before: dict[str, Any]) -> int:
    # Events are numbered in order; the snapshot counted them.
    ids = list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    return ids[before["AuditEvent"] - 1]


def test_only_open_milestones_due_after_the_chosen_date_move(admin_client: FlaskClient) -> None:
    dates = snapshot()["dates"]
    page = preview(admin_client, target_date="2022-10-03", scope="after", only_after="2022-05-31")
    stay_open = [
        r for r, (_, due, _, s) in dates.items() if s != "complete" and due <= date(2022, 5, 31)
    ]
    move = [r for r, (_, due, _, s) in dates.items() if s != "complete" and due > date(2022, 5, 31)]
    assert stay_open and move
    assert (
        text(page, "staying")
        == f"48 complete, {len(stay_open)} open but due on or before 31 May 2022"
    )
    assert len(page.find(id="moves").tbody.find_all("tr")) == len(move)
    response = admin_client.post(f"{BASE}/go-live/confirm", data=confirm_values(page))
    assert response.status_code == 302
    after = plan_dates()
    for ref in stay_open:
        assert after[ref] == dates[ref], ref
    for ref in move:
        assert after[ref][1] == ENGLAND.add_working_days(dates[ref][1], 64), ref
    assert programme().go_live_date == date(2022, 10, 3)


def test_no_leaves_every_milestone_where_it_is(admin_client: FlaskClient) -> None:
    before = snapshot()
    response = admin_client.post(
        f"{BASE}/go-live",
        data={**open_form(admin_client), "target_date": "2022-10-03", "reason": "x", "scope": "no"},
    )
    assert response.status_code == 302 and response.location == f"{BASE}/plan-settings"
    after = snapshot()
    assert after["go_live"] == date(2022, 10, 3)
    assert after["dates"] == before["dates"] and after["Baseline"] == before["Baseline"]


def test_changing_the_choices_from_the_preview_keeps_them(admin_client: FlaskClient) -> None:
    page = preview(admin_client, target_date="2022-10-03", scope="after", only_after="2022-05-31")
    values = {**confirm_values(page), "change": "yes"}
    before = snapshot()
    form = parse(admin_client.post(f"{BASE}/go-live", data=values))
    assert snapshot() == before
    assert form.find(id="target_date")["value"] == "2022-10-03"
    assert form.find(id="only_after")["value"] == "2022-05-31"
    assert form.find("input", type="radio", checked=True)["value"] == "after"
    assert form.find(id="reason").get_text() == "Royal Assent later still"


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER], ids=["lead", "board"])
def test_leads_and_the_board_cannot_preview_or_confirm(
    app: Flask, admin_client: FlaskClient, email: str
) -> None:
    values = confirm_values(preview(admin_client, target_date="2022-10-03", scope="all"))
    before = snapshot()
    client = as_role(app, email)
    assert client.get(f"{BASE}/go-live").status_code == 403
    response = client.post(
        f"{BASE}/go-live", data={"target_date": "2022-10-03", "reason": "x", "scope": "all"}
    )
    assert response.status_code == 403
    assert client.post(f"{BASE}/go-live/confirm", data=values).status_code == 403
    assert snapshot() == before


def test_someone_outside_the_programme_finds_no_such_page(
    app: Flask, admin_client: FlaskClient
) -> None:
    values = confirm_values(preview(admin_client, target_date="2022-10-03", scope="all"))
    client = outsider(app)
    before = snapshot()
    assert client.get(f"{BASE}/go-live").status_code == 404
    assert client.post(f"{BASE}/go-live/confirm", data=values).status_code == 404
    assert snapshot() == before


def test_the_service_itself_refuses_a_lead(app: Flask) -> None:
    from tracker.services.accounts import viewer_for
    from tracker.services.go_live_moves import move_go_live_with_plan
    from tracker.services.optimistic_locking import Seen, opened_now
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    before = snapshot()
    with app.test_request_context(), pytest.raises(ChangeRefused) as refused:
        move_go_live_with_plan(
            viewer_for(user(LEAD)),
            programme(),
            Seen(None, opened_now(), required=False),
            date(2022, 10, 3),
            "x",
            None,
            today=date(2022, 4, 4),
            plan_version=before["plan_version"],
        )
    assert refused.value.refusal is Refusal.NOT_ALLOWED
    assert snapshot() == before


def test_a_plan_changed_between_preview_and_confirm_is_refused_and_shown_again(
    app: Flask, admin_client: FlaskClient
) -> None:
    from tracker.services import progress
    from tracker.services.accounts import viewer_for
    from tracker.services.optimistic_locking import Seen

    values = confirm_values(preview(admin_client, target_date="2022-10-03", scope="all"))
    peo_11 = milestone("PEO-11")
    with app.test_request_context(), acting_as(Actor("Becca Bradd")):  # meanwhile, a lead
        progress.set_forecast(
            viewer_for(user(LEAD)),
            peo_11,
            Seen(peo_11.version),
            forecast_date=date(2022, 6, 10),
            reason="Consultation runs long",
            today=date(2022, 4, 4),
        )
    before = snapshot()
    response = admin_client.post(f"{BASE}/go-live/confirm", data=values)
    assert response.status_code == 200
    page = parse(response)
    assert snapshot() == before
    notice = text(page, "plan-changed")
    assert "The plan changed after you opened the preview" in notice
    assert "Nothing was moved" in notice and "Becca Bradd" in notice and "PEO-11" in notice
    # The preview is worked out again, from the lead's new forecast.
    schedule = programme_schedule(programme())
    assert schedule is not None
    now = schedule.forecast.milestones["PEO-11"].forecast_due
    row = [td.get_text(" ", strip=True) for td in page.find(id="move-PEO-11")("td")]
    assert row[2].startswith(f"{now.day} {now:%B %Y} to ")
    again = confirm_values(page)
    assert again["plan_version"] != values["plan_version"]
    assert admin_client.post(f"{BASE}/go-live/confirm", data=again).status_code == 302
    assert plan_dates()["PEO-11"][2] == ENGLAND.add_working_days(date(2022, 6, 10), 64)


def test_a_go_live_moved_by_someone_else_meanwhile_is_shown_not_overwritten(
    app: Flask, admin_client: FlaskClient
) -> None:
    from tracker.domain.permissions import Viewer
    from tracker.services import plan_edits
    from tracker.services.optimistic_locking import Seen

    values = confirm_values(preview(admin_client, target_date="2022-10-03", scope="all"))
    with app.test_request_context(), acting_as(Actor("Paul Bentley")):
        plan_edits.move_go_live(
            Viewer(memberships={kent_id(): "admin"}),
            programme(),
            Seen(None, values["opened_at"]),
            date(2022, 8, 1),
            "Letter of 1 April",
            today=date(2022, 4, 4),
        )
    before = snapshot()
    page = parse(admin_client.post(f"{BASE}/go-live/confirm", data=values))
    notice = text(page, "edit-conflict")
    assert "Paul Bentley" in notice and "go-live date" in notice
    assert page.find(id="target_date")["value"] == "2022-10-03"
    assert snapshot() == before and before["go_live"] == date(2022, 8, 1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"target_date": "2022-10-03", "reason": " ", "scope": "all"},
            "reason",
            "Say why go-live has moved, like the letter or decision",
        ),
        (
            {"target_date": "2022-02-30", "reason": "x", "scope": "all"},
            "target_date",
            "Enter the new go-live date as a date, like 1 April 2022",
        ),
        (
            {"target_date": "", "reason": "x", "scope": "all"},
            "target_date",
            "Enter the new go-live date",
        ),
        (
            {"target_date": "2022-10-03", "reason": "x", "scope": "after", "only_after": ""},
            "only_after",
            "Enter the date: open milestones due after it move with go-live",
        ),
        (
            {
                "target_date": "2022-10-03",
                "reason": "x",
                "scope": "after",
                "only_after": "2022-13-01",
            },
            "only_after",
            "Enter the date open milestones move after as a date, like 1 April 2022",
        ),
        (
            {"target_date": "2022-10-03", "reason": "x", "scope": "sideways"},
            "scope",
            "Choose whether open milestones move with go-live",
        ),
    ],
    ids=["no reason", "impossible date", "no date", "no scope date", "bad scope date", "scope"],
)
def test_bad_input_is_named_by_its_field_and_nothing_is_saved(
    admin_client: FlaskClient, data: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()
    page = parse(admin_client.post(f"{BASE}/go-live", data={**open_form(admin_client), **data}))
    assert page.title.get_text(strip=True).startswith("Error: ")
    assert error_for(page, field if field != "scope" else "scope") == message
    assert page.find(id="moves") is None
    # The confirm, sent the same values, says the same.
    values = {**data, **open_form(admin_client), "plan_version": before["plan_version"]}
    page = parse(admin_client.post(f"{BASE}/go-live/confirm", data=values))
    assert error_for(page, field) == message
    assert snapshot() == before


def test_a_move_that_would_put_a_milestone_outside_the_window_is_refused_by_name(
    admin_client: FlaskClient,
) -> None:
    # GOV-13 stored near the start of the programme's window (1 July 2016), then go-live
    # brought forward a year: it would fall before the window.
    db.session.execute(
        update(Milestone).where(Milestone.ref == "GOV-13").values(due_date=date(2016, 8, 1))
    )
    before = snapshot()
    page = preview(admin_client, target_date="2021-07-01", scope="all")
    assert error_for(page, "target_date").startswith(
        "This would move GOV-13 Health and Care Act receives Royal Assent: The due date "
    )
    assert "is outside the programme's window" in error_for(page, "target_date")
    assert page.find(id="moves") is None
    assert snapshot() == before


def test_the_confirm_needs_sign_in_and_a_csrf_token(
    admin_client: FlaskClient, anonymous_client: FlaskClient
) -> None:
    values = confirm_values(preview(admin_client, target_date="2022-10-03", scope="all"))
    before = snapshot()
    response = anonymous_client.post(f"{BASE}/go-live/confirm", data=values)
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    response = admin_client.post(f"{BASE}/go-live/confirm", data=values, csrf=False)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("bad", ["99999999999999999999999", "2147483648", "x\x00"])
def test_a_tampered_confirm_is_refused_and_saves_nothing(
    admin_client: FlaskClient, bad: str
) -> None:
    """The preview's hidden fields, each in turn holding what no browser would send (any
    text is a reason, and an unreadable opened_at is read as none: not tampering here)."""
    values = confirm_values(
        preview(admin_client, target_date="2022-10-03", scope="after", only_after="2022-05-31")
    )
    before = snapshot()
    for name in values:
        if name in ("reason", "opened_at") and "\x00" not in bad:
            continue
        response = admin_client.post(f"{BASE}/go-live/confirm", data={**values, name: bad})
        assert response.status_code in (200, 400), (name, response.status_code)
        assert snapshot() == before, name


def test_the_confirm_makes_one_change(admin_client: FlaskClient) -> None:
    from tracker.services.unit_of_work import change_saved

    values = confirm_values(preview(admin_client, target_date="2022-10-03", scope="all"))
    saved: list[str] = []
    with change_saved.connected_to(lambda name: saved.append(name)):
        assert admin_client.post(f"{BASE}/go-live/confirm", data=values).status_code == 302
    assert saved == ["tracker.services.go_live_moves.move_go_live_with_plan"]


def test_a_baseline_name_already_taken_gets_a_number(app: Flask, admin_client: FlaskClient) -> None:
    from tracker.services import plan_edits
    from tracker.services.accounts import viewer_for

    with app.test_request_context():
        plan_edits.take_baseline(
            viewer_for(user("sarah.collins@example.org")),
            programme(),
            "Before go-live moved to 3 October 2022",
            note="",
            make_current=False,
        )
    page = preview(admin_client, target_date="2022-10-03", scope="all")
    assert "“Before go-live moved to 3 October 2022 (2)”" in text(page, "baseline")
    response = admin_client.post(f"{BASE}/go-live/confirm", data=confirm_values(page))
    assert response.status_code == 302
    labels = set(db.session.scalars(select(Baseline.label)))
    assert "Before go-live moved to 3 October 2022 (2)" in labels
