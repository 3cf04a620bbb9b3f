"""The seeded Kent and Medway plan, scheduled from the database: stable and explained."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import CalendarClosure, Milestone, Programme
from tracker.scheduling import AT_RISK, OFF_TRACK
from tracker.services.schedule import programme_schedule

DEMO_TODAY = date(2022, 4, 4)  # Monday after the original 1 April go-live
TUPE_CHAIN = ("PEO-08", "PEO-09", "PEO-10", "PEO-11", "PEO-12", "PEO-13", "PEO-14", "GOV-99")


def _programme() -> Programme:
    return db.session.scalars(select(Programme)).one()


def _milestone(ref: str) -> Milestone:
    return db.session.scalars(select(Milestone).where(Milestone.ref == ref)).one()


def test_seeded_programme_is_at_risk_with_three_days_slack(app: Flask) -> None:
    schedule = programme_schedule(_programme(), today=DEMO_TODAY)
    assert schedule is not None
    forecast = schedule.forecast

    assert forecast.go_live_target == date(2022, 7, 1)
    assert forecast.forecast_go_live == date(2022, 7, 1)
    assert forecast.go_live_float == 3
    assert forecast.status == AT_RISK
    assert forecast.slip_days == 0
    assert forecast.baseline_slip_days == 0  # the July 2022 baseline is current
    assert forecast.working_days_to_go_live == 59
    assert forecast.driving_path == TUPE_CHAIN
    assert forecast.critical_refs == ()
    assert schedule.baseline_label == "Plan for go-live 1 July 2022"


def test_seeded_milestones_carry_their_rag_and_reason(app: Flask) -> None:
    forecast = programme_schedule(_programme(), today=DEMO_TODAY).forecast  # type: ignore[union-attr]
    consultation = forecast.milestones["PEO-09"]
    assert consultation.overdue
    assert consultation.rag == "red"
    assert consultation.forecast_due == date(2022, 4, 14)  # Becca Bradd's forecast
    assert consultation.total_float == 3

    letters = forecast.milestones["PEO-11"]
    assert letters.rag == "amber"
    assert letters.forecast_due == date(2022, 6, 7)
    assert [step.ref for step in letters.why] == ["PEO-10", "PEO-09"]
    assert "Formal staff consultation on transfer to the ICB" in letters.explanation
    assert "Becca Bradd" in letters.explanation

    assert forecast.milestones["PEO-08"].rag == "blue"
    assert sum(m.rag == "blue" for m in forecast.milestones.values()) == 48
    assert {ref for ref, m in forecast.milestones.items() if m.rag == "red"} == {
        "PEO-09",
        "DIG-05",
        "FIN-06",
    }
    assert forecast.workstream_rag("PEO") == "red"
    assert forecast.workstream_rag("ENG") == "green"


def test_a_late_forecast_on_the_driving_path_moves_go_live(app: Flask) -> None:
    tupe = _milestone("PEO-14")
    tupe.forecast_date = date(2022, 7, 5)
    tupe.forecast_reason = "Staff side asked for a second review of the transfer schedule"
    db.session.flush()

    forecast = programme_schedule(_programme(), today=DEMO_TODAY).forecast  # type: ignore[union-attr]
    assert forecast.status == OFF_TRACK
    # A point milestone can fall on the day its predecessor finishes.
    assert forecast.forecast_go_live == date(2022, 7, 5)
    assert forecast.slip_days == 2  # Friday 1 July -> Tuesday 5 July
    assert forecast.go_live_float == -2
    assert "PEO-14" in forecast.critical_refs
    assert "TUPE staff transfer schedule signed off" in forecast.milestones["GOV-99"].explanation


def test_closure_days_from_the_programme_calendar_count(app: Flask) -> None:
    programme = _programme()
    before = programme_schedule(programme, today=DEMO_TODAY)
    db.session.add(
        CalendarClosure(programme=programme, closed_on=date(2022, 5, 3), reason="Office move")
    )
    db.session.flush()
    after = programme_schedule(programme, today=DEMO_TODAY)
    assert before is not None and after is not None
    assert before.calendar.is_working_day(date(2022, 5, 3))
    assert not after.calendar.is_working_day(date(2022, 5, 3))
    assert after.forecast.working_days_to_go_live == before.forecast.working_days_to_go_live - 1


def test_a_programme_without_milestones_has_no_schedule(app: Flask) -> None:
    empty = Programme(
        slug="empty",
        name="Empty",
        from_organisation="A CCG",
        to_organisation="An ICB",
        start_date=date(2022, 1, 4),
        go_live_date=date(2022, 7, 1),
    )
    db.session.add(empty)
    db.session.flush()
    assert programme_schedule(empty, today=DEMO_TODAY) is None
