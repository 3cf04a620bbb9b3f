"""The digest's content, worked out from plain data (tracker/domain/digest.py): what is
listed, what counts as moved or escalated, how a subject reads, and a lead's own order."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.digest import (
    Headline,
    for_recipient,
    iso_week_label,
    parse_iso_week,
    programme_digest,
    snapshot,
    subject,
)
from tracker.domain.figures import RiskLine
from tracker.scheduling import WorkingCalendar
from tracker.scheduling.programme import forecast_programme
from tracker.scheduling.programme_data import PlannedDependency, PlannedMilestone

MONDAY = date(2022, 4, 4)


def plan(forecast_b: date | None = None) -> list[PlannedMilestone]:
    return [
        PlannedMilestone(
            "AAA-01",
            "Done last week",
            "AAA",
            "Ann",
            "point",
            None,
            date(2022, 3, 31),
            "complete",
            completed_on=date(2022, 3, 30),
        ),
        PlannedMilestone(
            "AAA-02",
            "Done long ago",
            "AAA",
            "Ann",
            "point",
            None,
            date(2022, 3, 1),
            "complete",
            completed_on=date(2022, 3, 1),
        ),
        PlannedMilestone(
            "BBB-01",
            "Overdue",
            "BBB",
            "Bob",
            "point",
            None,
            date(2022, 4, 1),
            "in_progress",
            forecast=forecast_b,
            forecast_reason="late" if forecast_b else None,
        ),
        PlannedMilestone(
            "BBB-02", "Due soon", "BBB", "Bob", "point", None, date(2022, 4, 8), "not_started"
        ),
        PlannedMilestone(
            "AAA-03",
            "Also due soon",
            "AAA",
            "Ann",
            "point",
            None,
            date(2022, 4, 12),
            "not_started",
        ),
        PlannedMilestone(
            "GOV-99", "Go-live", "GOV", "Gil", "point", None, date(2022, 7, 1), "not_started"
        ),
    ]


def forecast(forecast_b: date | None = None, today: date = MONDAY):  # type: ignore[no-untyped-def]
    return forecast_programme(
        plan(forecast_b),
        [PlannedDependency("BBB-01", "GOV-99"), PlannedDependency("BBB-02", "GOV-99")],
        go_live_ref="GOV-99",
        go_live_target=date(2022, 7, 1),
        today=today,
        calendar=WorkingCalendar(date(2022, 1, 1)),
    )


RISKS = [
    RiskLine(1, "R1", "Old risk, worse", "Ann", "AAA", 16, 16, "extreme", date(2022, 3, 1), True),
    RiskLine(2, "R2", "Brand new", "Bob", "BBB", 6, 4, "moderate", None, False),
]
RAISED = {"R1": date(2021, 11, 1), "R2": date(2022, 4, 1)}


def digest(previous=None, forecast_b=None):  # type: ignore[no-untyped-def]
    return programme_digest(
        programme="Test",
        slug="test",
        week_start=MONDAY,
        forecast=forecast(forecast_b),
        baseline_label=None,
        workstreams=[("AAA", "Alpha"), ("BBB", "Bravo"), ("GOV", "Governance")],
        reported_rags={"AAA": "green", "BBB": "amber"},
        previous_reported_rags={"AAA": "green", "BBB": "green"},
        risks=RISKS,
        risks_raised=RAISED,
        previous=previous,
    )


def refs(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.ref for i in items]


def test_lists_match_the_week() -> None:
    d = digest()
    assert refs(d.completed_last_week) == ["AAA-01"]  # 28 March to 3 April only
    assert refs(d.overdue) == ["BBB-01"]
    assert refs(d.due_next_two_weeks) == ["BBB-02", "AAA-03"]
    assert d.first_digest and d.forecast_moved == []
    # Without an earlier digest, reported RAG changes are against last week's highlights.
    bravo = next(w for w in d.workstreams if w.code == "BBB")
    assert (bravo.previous_reported_rag, bravo.reported_rag, bravo.changed) == (
        "green",
        "amber",
        True,
    )


def test_first_digest_reports_new_risks_and_overdue_reviews() -> None:
    d = digest()
    assert refs(d.new_risks) == ["R2"]  # raised in the last week
    assert d.escalated_risks == []  # nothing to compare a score with yet
    assert refs(d.overdue_reviews) == ["R1"]


def test_moves_and_escalations_are_against_the_last_digest() -> None:
    before = snapshot(
        forecast(),
        {"AAA": "green", "BBB": "amber"},
        [
            RiskLine(1, "R1", "Old risk, worse", "Ann", "AAA", 12, 16, "high", None, False),
            RiskLine(2, "R2", "Brand new", "Bob", "BBB", 6, 4, "moderate", None, False),
        ],
    )
    d = digest(previous=before, forecast_b=date(2022, 4, 20))
    assert refs(d.forecast_moved) == ["BBB-01"]
    assert "forecast moved later" in d.forecast_moved[0].note
    assert "to 20 April 2022" in d.forecast_moved[0].note
    assert refs(d.escalated_risks) == ["R1"]
    assert d.escalated_risks[0].note == "score rose from 12 to 16"
    assert d.new_risks == []  # R2 was in the last digest already
    assert not d.first_digest


def test_a_lead_gets_their_workstreams_first() -> None:
    mine = for_recipient(digest(), "Bob", ["BBB"])
    assert [w.code for w in mine.workstreams] == ["BBB", "AAA", "GOV"]
    assert [w.mine for w in mine.workstreams] == [True, False, False]
    assert refs(mine.due_next_two_weeks) == ["BBB-02", "AAA-03"]
    other = for_recipient(digest(), "Ann", ["AAA"])
    assert refs(other.due_next_two_weeks) == ["AAA-03", "BBB-02"]
    board = for_recipient(digest(), "Paul")
    assert [w.code for w in board.workstreams] == ["AAA", "BBB", "GOV"]
    assert board.recipient == "Paul" and not any(w.mine for w in board.workstreams)


def headline(status: str, slack: int, slip: int = 0) -> Headline:
    return Headline(
        status, date(2022, 7, 1), date(2022, 7, 5), slack, slip, None, None, 59, 48, 109, 48, 51
    )


@pytest.mark.parametrize(
    ("status", "slack", "slip", "expected"),
    [
        ("at risk", 3, 0, "go-live at risk (3 days' slack)"),
        ("on track", 12, 0, "go-live on track (12 days' slack)"),
        ("at risk", 1, 0, "go-live at risk (1 day's slack)"),
        ("off track", -2, 2, "go-live off track (forecast 5 July 2022, 2 working days late)"),
    ],
)
def test_subject_says_the_state(status: str, slack: int, slip: int, expected: str) -> None:
    assert subject(MONDAY, headline(status, slack, slip)) == (
        f"Transition status w/c 4 April 2022: {expected}"
    )


def test_iso_weeks() -> None:
    assert parse_iso_week("2022-W14") == MONDAY
    assert parse_iso_week("2021-w52") == date(2021, 12, 27)
    assert iso_week_label(MONDAY) == "2022-W14"
    assert iso_week_label(date(2021, 1, 4)) == "2021-W01"
    for bad in ("2022-W54", "next", "2022-14", ""):
        with pytest.raises(ValueError, match="is not an ISO week"):
            parse_iso_week(bad)
