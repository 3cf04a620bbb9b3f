"""Plan health: each check on a small plain plan (pass, warn, and with its threshold changed),
the critical path test, the seed programme's report, and changing thresholds through the
service, the page and the command line (docs/plan-health.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import SEED_SLUG, page, programme, user
from tracker.domain.plan_health import (
    CHECKS,
    THRESHOLDS,
    CheckResult,
    HealthReport,
    HealthThresholds,
    assess,
    check_thresholds,
    describe_stored,
    digest_line,
    summary,
)
from tracker.domain.validation import FieldError
from tracker.scheduling import (
    PlannedDependency,
    PlannedMilestone,
    WorkingCalendar,
    forecast_programme,
)

CAL = WorkingCalendar(date(2021, 12, 1))
TODAY = date(2021, 12, 31)  # a Friday, before anything is due
BASE = f"/p/{SEED_SLUG}/health"
THRESHOLDS_URL = f"{BASE}/thresholds"


def point(ref: str, due: date, **more: Any) -> PlannedMilestone:
    status = more.pop("status", "not_started")
    return PlannedMilestone(
        ref, f"{ref} title", "WS", "Olu Owner", "point", None, due, status, **more
    )


def activity(ref: str, start: date, due: date, **more: Any) -> PlannedMilestone:
    status = more.pop("status", "not_started")
    return PlannedMilestone(
        ref, f"{ref} title", "WS", "Olu Owner", "activity", start, due, status, **more
    )


def fs(pred: str, succ: str, lag: int = 0, kind: str = "FS") -> PlannedDependency:
    return PlannedDependency(pred, succ, kind, lag)


# A clean plan: every milestone driven by its predecessor, nothing due yet, on working days.
CLEAN = [
    point("S", date(2022, 1, 4)),
    activity("A", date(2022, 1, 5), date(2022, 1, 18)),
    activity("B", date(2022, 1, 19), date(2022, 2, 1)),
    point("GO", date(2022, 2, 1)),
]
CLEAN_LINKS = [fs("S", "A"), fs("A", "B"), fs("B", "GO")]


def health(
    milestones: list[PlannedMilestone] = CLEAN,
    links: list[PlannedDependency] = CLEAN_LINKS,
    *,
    today: date = TODAY,
    target: date | None = None,
    calendar: WorkingCalendar = CAL,
    programme_start: date | None = None,
    **thresholds: int,
) -> dict[str, CheckResult]:
    return {
        r.check.key: r
        for r in report(
            milestones, links, today, target, calendar, programme_start, **thresholds
        ).results
    }


def report(
    milestones: list[PlannedMilestone],
    links: list[PlannedDependency],
    today: date = TODAY,
    target: date | None = None,
    calendar: WorkingCalendar = CAL,
    programme_start: date | None = None,
    **thresholds: int,
) -> HealthReport:
    go_live = next(m for m in milestones if m.ref == "GO")
    target = target or go_live.due
    forecast = forecast_programme(
        milestones, links, go_live_ref="GO", go_live_target=target, today=today, calendar=calendar
    )
    limits = HealthThresholds(**thresholds)
    return assess(
        milestones,
        links,
        forecast,
        calendar,
        today,
        target,
        limits,
        programme_start=programme_start,
    )


def swap(milestones: list[PlannedMilestone], ref: str, **changes: Any) -> list[PlannedMilestone]:
    return [replace(m, **changes) if m.ref == ref else m for m in milestones]


# --- the clean plan and the report's words ---------------------------------------------------


def test_a_clean_plan_passes_every_check() -> None:
    found = report(CLEAN, CLEAN_LINKS)
    assert [r.check.key for r in found.results] == [c.key for c in CHECKS]
    assert [r.check.key for r in found.failing] == []
    assert summary(found) == "12 of 12 checks pass"
    assert digest_line(found) == "Plan health: 12 of 12 checks pass."
    missing = found.results[0]
    assert (missing.count, missing.population, missing.value) == (0, 4, "0 of 4 (0.0 %)")
    assert missing.finding == "None of the 4 open milestones have an open end."
    assert missing.limit == "At most 5 %"


def test_the_digest_line_names_each_warning_with_its_count() -> None:
    links = [fs("S", "A"), fs("A", "B"), fs("B", "GO", -2)]
    found = report(CLEAN, links)
    assert found.summary == "10 of 12 checks pass"  # the lead into go-live breaks the test
    assert digest_line(found) == (
        "Plan health: 10 of 12 checks pass; warnings: leads (1), critical path test."
    )


# --- missing logic ---------------------------------------------------------------------------


def test_missing_logic_counts_open_ends_but_not_the_start_or_go_live() -> None:
    plan = [*CLEAN, point("X", date(2022, 1, 20)), point("Y", date(2022, 1, 25))]
    links = [*CLEAN_LINKS, fs("A", "X"), fs("Y", "GO")]
    result = health(plan, links)["missing_logic"]
    assert not result.passed
    assert [(f.refs, f.text) for f in result.findings] == [
        (("X",), "no successor"),
        (("Y",), "no predecessor"),
    ]
    assert result.value == "2 of 6 (33.3 %)"
    assert result.finding == "2 of 6 open milestones have an open end: over the limit of 5 %."
    assert health(plan, links, missing_logic=40)["missing_logic"].passed


def test_a_milestone_with_neither_link_is_one_open_end_and_go_live_needs_a_predecessor() -> None:
    plan = [*CLEAN, point("X", date(2022, 1, 20))]
    result = health(plan)["missing_logic"]
    assert [(f.refs, f.text) for f in result.findings] == [
        (("X",), "no predecessor and no successor")
    ]
    lonely = [point("S", date(2022, 1, 4)), point("GO", date(2022, 2, 1))]
    result = health(lonely, [])["missing_logic"]
    assert [(f.refs, f.text) for f in result.findings] == [
        (("S",), "no successor"),
        (("GO",), "no predecessor"),
    ]


def test_the_programme_start_may_have_no_predecessor() -> None:
    plan = [point("S0", date(2022, 1, 4)), *CLEAN]
    links = [*CLEAN_LINKS, fs("S0", "B")]
    assert health(plan, links)["missing_logic"].findings == ()  # both on the earliest date
    # Two days after the plan's first date: a start only on or before the programme's start.
    plan = [point("S0", date(2022, 1, 6)), *CLEAN]
    assert health(plan, links)["missing_logic"].refs == ("S0",)
    assert health(plan, links, programme_start=date(2022, 1, 6))["missing_logic"].refs == ()


# --- leads, long lags and relationship types --------------------------------------------------


def test_leads_warn_at_one_by_default() -> None:
    links = [fs("S", "A"), fs("A", "B", -2), fs("B", "GO")]
    result = health(CLEAN, links)["leads"]
    assert not result.passed
    assert result.limit == "None"
    assert [(f.refs, f.text) for f in result.findings] == [
        (("A", "B"), "finish-to-start: a lead of 2 working days")
    ]
    assert result.finding == "1 of 3 links has a lead: over the limit of 0."
    assert health(CLEAN, links, leads=1)["leads"].passed


def test_links_into_completed_milestones_are_history() -> None:
    plan = swap(CLEAN, "A", status="complete", completed_on=date(2021, 12, 20))
    links = [fs("S", "A", -2), fs("A", "B"), fs("B", "GO")]
    result = health(plan, links, today=date(2021, 12, 31))["leads"]
    assert result.passed and result.population == 2


def test_long_lags_are_those_over_the_limit_in_working_days() -> None:
    links = [fs("S", "A"), fs("A", "B", 25), fs("B", "GO")]
    result = health(CLEAN, links)["long_lags"]
    assert not result.passed
    assert result.findings[0].text == "finish-to-start: a lag of 25 working days"
    assert result.finding == ("1 of 3 links has a lag over 20 working days: over the limit of 5 %.")
    assert health(CLEAN, links, lag_days=25)["long_lags"].passed
    assert health(CLEAN, links, long_lags=34)["long_lags"].passed
    assert health(CLEAN, [fs("S", "A"), fs("A", "B", 20), fs("B", "GO")])["long_lags"].passed


def test_relationship_types_other_than_finish_to_start_as_a_share() -> None:
    links = [fs("S", "A"), fs("A", "B", kind="SS"), fs("B", "GO")]
    result = health(CLEAN, links)["relationship_types"]
    assert not result.passed
    assert (result.value, result.findings[0].text) == ("1 of 3 (33.3 %)", "start-to-start")
    assert health(CLEAN, links, relationship_types=34)["relationship_types"].passed


# --- planned dates that hold milestones back -------------------------------------------------


def test_a_milestone_held_to_its_planned_date_rather_than_by_its_predecessors() -> None:
    # B is planned to start on 24 January though A finishes on 18 January.
    plan = swap(CLEAN, "B", planned_start=date(2022, 1, 24))
    result = health(plan)["constraints"]
    assert not result.passed
    assert [(f.refs, f.text) for f in result.findings] == [
        (("B",), "held to its planned start, 24 January 2022: its predecessors allow earlier")
    ]
    assert health(plan, constraints=25)["constraints"].passed


def test_go_live_on_its_target_and_a_milestone_with_no_predecessor_are_not_held_back() -> None:
    plan = swap(CLEAN, "GO", due=date(2022, 2, 8))  # go-live waits for its own date
    assert health(plan, target=date(2022, 2, 8))["constraints"].findings == ()
    assert health(CLEAN)["constraints"].findings == ()  # S has its planned date, and no links


# --- float -----------------------------------------------------------------------------------


def test_high_float_is_more_than_the_limit_of_working_days() -> None:
    plan = [*CLEAN, point("Z", date(2022, 1, 10))]
    links = [*CLEAN_LINKS, fs("S", "Z"), fs("Z", "GO")]
    assert health(plan, links)["high_float"].passed  # 15 working days is not high by default
    result = health(plan, links, high_float_days=10)["high_float"]
    assert not result.passed
    assert [(f.refs, f.text) for f in result.findings] == [(("Z",), "16 working days of float")]
    assert health(plan, links, high_float_days=10, high_float=20)["high_float"].passed


def test_negative_float_when_the_plan_cannot_make_the_target() -> None:
    result = health(target=date(2022, 1, 25))["negative_float"]
    assert not result.passed
    assert result.refs == ("S", "A", "B", "GO")
    assert result.findings[0].text == "-5 working days of float"
    assert health(target=date(2022, 1, 25), negative_float=4)["negative_float"].passed


# --- long durations --------------------------------------------------------------------------


def test_long_durations_are_open_activities_over_the_limit() -> None:
    plan = swap(CLEAN, "A", planned_start=date(2021, 10, 4))
    result = health(plan, today=date(2021, 10, 1))["long_durations"]
    assert not result.passed
    assert (result.count, result.population) == (1, 2)  # points are not counted
    assert result.findings[0].text == "74 working days, 4 October 2021 to 18 January 2022"
    assert (
        result.finding == "1 of 2 open activities exceeds 44 working days: over the limit of 5 %."
    )
    assert health(plan, today=date(2021, 10, 1), long_duration_days=80)["long_durations"].passed
    done = swap(plan, "A", status="complete", completed_on=date(2022, 1, 18))
    assert health(done, today=date(2022, 1, 18))["long_durations"].population == 1


# --- invalid dates ---------------------------------------------------------------------------


def test_invalid_dates_past_forecasts_stale_plans_and_future_completions() -> None:
    today = date(2022, 1, 20)
    plan = swap(CLEAN, "S", status="complete", completed_on=date(2022, 1, 21))
    plan = swap(plan, "A", forecast=date(2022, 1, 19))  # a forecast already passed
    plan = swap(plan, "B", due=date(2022, 1, 19), planned_start=date(2022, 1, 19))
    result = health(plan, today=today)["invalid_dates"]
    assert [(f.refs, f.text) for f in result.findings] == [
        (("S",), "completed 21 January 2022: after today"),
        (("A",), "forecast 19 January 2022: before today"),
        (("B",), "due 19 January 2022: not complete, no forecast since"),
    ]
    assert not result.passed
    assert health(plan, today=today, invalid_dates=3)["invalid_dates"].passed
    # A milestone overdue with a forecast after today has a valid date: it is missed, though.
    plan = swap(CLEAN, "S", forecast=date(2022, 1, 24))
    assert health(plan, today=date(2022, 1, 10))["invalid_dates"].passed


# --- missed milestones (BEI) -----------------------------------------------------------------


def _due_by_baseline(done: int, missed: int, **more: Any) -> list[PlannedMilestone]:
    plan = [
        point(f"D{k}", date(2022, 1, 4), status="complete", completed_on=date(2022, 1, 4), **more)
        for k in range(done)
    ]
    plan += [point(f"M{k}", date(2022, 1, 5), **more) for k in range(missed)]
    return plan + [point("GO", date(2022, 2, 1))]


def test_the_baseline_execution_index_at_or_above_095_passes() -> None:
    today = date(2022, 1, 10)
    base = {"baseline_due": date(2022, 1, 4)}
    result = health(_due_by_baseline(19, 1, **base), [], today=today)["missed_milestones"]
    assert result.passed and result.value == "0.95 (19 of 20)"
    result = health(_due_by_baseline(18, 2, **base), [], today=today)["missed_milestones"]
    assert not result.passed
    assert result.count == 2 and result.refs == ("M0", "M1")
    assert result.findings[0].text == "due 4 January 2022 by the baseline"
    assert result.limit == "At least 0.95"
    assert result.finding == (
        "18 of the 20 milestones due by the baseline to date are complete: a baseline "
        "execution index of 0.90, below 0.95."
    )
    assert health(_due_by_baseline(18, 2, **base), [], today=today, bei=90)[
        "missed_milestones"
    ].passed


def test_the_baseline_date_counts_and_one_not_in_the_baseline_uses_its_planned_date() -> None:
    today = date(2022, 1, 10)
    # Due by the baseline on 4 January, replanned to March: still missed.
    moved = [
        point("M0", date(2022, 3, 1), baseline_due=date(2022, 1, 4)),
        point("GO", date(2022, 3, 2)),
    ]
    result = health(moved, [], today=today)["missed_milestones"]
    assert result.refs == ("M0",) and not result.passed
    unbaselined = health(_due_by_baseline(1, 1), [], today=today)["missed_milestones"]
    assert (
        unbaselined.findings[0].text == "due 5 January 2022 as planned (it is not in the baseline)"
    )
    assert health(CLEAN)["missed_milestones"].finding == (
        "There are no milestones due by the baseline to date yet."
    )


# --- the critical path test ------------------------------------------------------------------


def test_delaying_the_driving_milestone_moves_go_live_by_as_much() -> None:
    result = health()["critical_path"]
    assert result.passed and result.refs == ("S",)
    assert result.finding == (
        "Delaying S by 10 working days (its 0 working days of slack and 10 more) moves go-live "
        "by 10 working days, from 1 February 2022 to 15 February 2022."
    )
    # With slack in hand the slack is used up first: 3 working days to the target.
    plan = swap(CLEAN, "GO", due=date(2022, 2, 4))
    result = health(plan, target=date(2022, 2, 4))["critical_path"]
    assert result.passed and "by 13 working days (its 3 working days of slack" in result.finding
    # Go-live planned before its target: the float to the target is not slack to go-live.
    result = health(target=date(2022, 2, 8))["critical_path"]
    assert result.passed and "by 10 working days (its 0 working days of slack" in result.finding
    # Go-live planned after its target: its own date absorbs part of a delay.
    plan = swap(CLEAN, "GO", due=date(2022, 2, 8))
    result = health(plan, target=date(2022, 2, 1))["critical_path"]
    assert result.passed and "(its 5 working days of slack" in result.finding


def test_the_critical_path_test_fails_when_a_lead_into_go_live_hides_slack() -> None:
    # B must finish by the target for its float, yet go-live waits only for B less 2 days.
    result = health(CLEAN, [fs("S", "A"), fs("A", "B"), fs("B", "GO", -2)])["critical_path"]
    assert not result.passed and result.value == "Moved 8 of 10"
    assert result.finding.endswith(
        "moves go-live by 8 working days, from 1 February 2022 to 11 February 2022, not 10: "
        "something other than the path holds go-live."
    )


def test_the_critical_path_test_fails_when_nothing_drives_go_live() -> None:
    lonely = [point("S", date(2022, 1, 4)), point("GO", date(2022, 2, 1))]
    result = health(lonely, [])["critical_path"]
    assert not result.passed and result.count == 1
    assert result.finding == "Go-live, GO, has no predecessor: nothing drives it."
    assert result.refs == ("GO",)


def test_the_first_open_milestone_is_tested_and_a_finished_plan_needs_no_test() -> None:
    plan = swap(CLEAN, "S", status="complete", completed_on=date(2022, 1, 4))
    assert health(plan, today=date(2022, 1, 4))["critical_path"].refs == ("A",)
    done = [
        swap(CLEAN, m.ref, status="complete", completed_on=m.due)[k] for k, m in enumerate(CLEAN)
    ]
    result = health(done, today=date(2022, 2, 2))["critical_path"]
    assert result.passed and result.finding == "Go-live is complete: there is nothing left to test."


# --- non-working days ------------------------------------------------------------------------


def test_milestones_due_on_a_weekend_bank_holiday_or_closure_day() -> None:
    closed = WorkingCalendar(date(2021, 12, 1), closures=[date(2022, 1, 12)])
    plan = [
        *CLEAN,
        point("SAT", date(2022, 1, 15)),
        point("HOL", date(2022, 6, 3)),
        point("SHUT", date(2022, 1, 12)),
    ]
    links = [*CLEAN_LINKS, fs("S", "SAT"), fs("SAT", "GO"), fs("S", "SHUT"), fs("SHUT", "GO")]
    links += [fs("S", "HOL")]
    result = health(plan, links, calendar=closed)["non_working_days"]
    assert [(f.refs, f.text) for f in result.findings] == [
        (("SAT",), "due 15 January 2022, a Saturday"),
        (("HOL",), "due 3 June 2022, a bank holiday"),
        (("SHUT",), "due 12 January 2022, a closure day"),
    ]
    assert not result.passed
    assert health(plan, links, calendar=closed, non_working_days=3)["non_working_days"].passed


def test_a_go_live_target_on_a_saturday_warns_whatever_the_threshold() -> None:
    result = health(target=date(2022, 2, 5), non_working_days=10)["non_working_days"]
    assert not result.passed
    assert result.finding.startswith("The go-live target, 5 February 2022, is a Saturday.")
    assert result.limit == "At most 10, and go-live on a working day"


# --- thresholds ------------------------------------------------------------------------------


def test_the_defaults_are_dcmas() -> None:
    assert {t.key: t.default for t in THRESHOLDS} == {
        "missing_logic": 5,
        "leads": 0,
        "lag_days": 20,
        "long_lags": 5,
        "relationship_types": 10,
        "constraints": 5,
        "high_float_days": 44,
        "high_float": 5,
        "negative_float": 0,
        "long_duration_days": 44,
        "long_durations": 5,
        "invalid_dates": 0,
        "bei": 95,
        "non_working_days": 0,
    }
    assert all(c.threshold in {t.key for t in THRESHOLDS} for c in CHECKS if c.threshold)


def test_bad_thresholds_name_the_field_with_an_example() -> None:
    errors = check_thresholds(
        {
            "missing_logic": "abc",
            "lag_days": 300,
            "bei": True,
            "leads": -1,
            "nope": 1,
            "high_float": None,
        }
    )
    assert errors == [
        FieldError(
            "missing_logic", "Missing logic: enter a whole percentage from 0 to 100, like 5"
        ),
        FieldError(
            "lag_days", "Longest lag: enter a whole number of working days from 0 to 260, like 20"
        ),
        FieldError(
            "bei", "Baseline execution index: enter a whole percentage from 0 to 100, like 95"
        ),
        FieldError("leads", "Leads: enter a whole number from 0 to 10,000, like 0"),
        FieldError("nope", "There is no plan health threshold called 'nope'"),
    ]
    assert check_thresholds({"missing_logic": 100, "lag_days": 0}) == []


def test_stored_thresholds_keep_only_the_changes_and_ignore_what_cannot_be_read() -> None:
    read = HealthThresholds.from_values({"missing_logic": 10, "lag_days": "x", "gone": 3})
    assert read == HealthThresholds(missing_logic=10)
    assert read.changed() == {"missing_logic": 10}
    assert HealthThresholds(missing_logic=5).changed() == {}
    assert describe_stored({"missing_logic": 10, "lag_days": 30}) == (
        "Missing logic 10 %; Longest lag 30 working days"
    )
    assert describe_stored({}) == "the DCMA defaults"


# --- the seed programme ----------------------------------------------------------------------


def test_the_seed_programme_passes_7_of_12(app: Flask) -> None:
    from tracker.services import plan_health

    with app.test_request_context():
        found = plan_health.report_for(programme())
    assert found is not None
    results = {r.check.key: r for r in found.results}
    assert found.summary == "7 of 12 checks pass"
    assert [r.check.key for r in found.failing] == [
        "leads",
        "constraints",
        "long_durations",
        "invalid_dates",
        "missed_milestones",
    ]
    assert results["missing_logic"].refs == ("GOV-13",)  # Royal Assent: nothing before it
    assert [f.refs for f in results["leads"].findings] == [
        ("ASU-05", "ASU-06"),
        ("FIN-08", "FIN-12"),
    ]
    assert results["invalid_dates"].refs == ("DIG-05", "FIN-06")
    assert results["missed_milestones"].value == "0.94 (48 of 51)"
    assert set(results["missed_milestones"].refs) == {"PEO-09", "DIG-05", "FIN-06"}
    assert results["high_float"].refs == ("PRC-05",)
    assert "GOV-99" not in results["constraints"].refs  # go-live sits on its target
    cpt = results["critical_path"]
    assert cpt.passed and cpt.refs == ("PEO-09",)
    assert "from 1 July 2022 to 15 July 2022" in cpt.finding
    assert digest_line(found) == (
        "Plan health: 7 of 12 checks pass; warnings: leads (2), held to planned dates (38), "
        "long durations (8), invalid dates (2), missed milestones (3)."
    )


def test_the_report_reads_nothing_more_than_the_schedule(app: Flask, statements: list[str]) -> None:
    from tracker.services import board, plan_health

    with app.test_request_context():
        kent = programme()
        board.schedule_for(kent)
        statements.clear()
        assert plan_health.report_for(kent) is not None
    assert statements == []


# --- the service: changing thresholds --------------------------------------------------------


def _viewer(email: str) -> Any:
    from tracker.services.accounts import viewer_for

    return viewer_for(user(email))


def _stored() -> dict[str, int]:
    from tracker.extensions import db
    from tracker.models import Programme

    db.session.expire_all()
    found = db.session.scalar(
        select(Programme.health_thresholds).where(Programme.slug == SEED_SLUG)
    )
    return dict(found or {})


def _audited() -> list[Any]:
    from tracker.extensions import db
    from tracker.models import AuditEvent

    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "Programme", AuditEvent.field == "health_thresholds")
            .order_by(AuditEvent.id)
        )
    )


def test_an_admin_changes_thresholds_and_only_the_changes_are_kept_and_audited(app: Flask) -> None:
    from tracker.audit import Actor, acting_as
    from tracker.services import plan_health
    from tracker.services.optimistic_locking import Seen, opened_now

    with app.test_request_context(), acting_as(Actor("Sarah Collins")):
        kept = plan_health.change_thresholds(
            _viewer(ADMIN),
            programme(),
            Seen(None, opened_now(), required=False),
            {"missing_logic": 10, "lag_days": 20, "constraints": None},
        )
    assert kept == HealthThresholds(missing_logic=10)
    assert _stored() == {"missing_logic": 10}
    (event,) = _audited()
    assert event.actor == "Sarah Collins" and event.programme_id == programme().id
    assert "missing_logic" in event.new_value or "Missing logic" in event.new_value
    assert "10" in event.new_value
    with app.test_request_context():
        found = plan_health.report_for(programme())
    assert found is not None and found.thresholds.missing_logic == 10
    assert {r.check.key: r for r in found.results}["missing_logic"].limit == "At most 10 %"


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER, "viewer"])
def test_anyone_but_an_admin_is_refused_by_the_service(app: Flask, email: str) -> None:
    from tracker.domain.permissions import Viewer
    from tracker.services import plan_health
    from tracker.services.optimistic_locking import Seen
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    who = Viewer(memberships={programme().id: "viewer"}) if email == "viewer" else _viewer(email)
    with app.test_request_context(), pytest.raises(ChangeRefused) as refused:
        plan_health.change_thresholds(who, programme(), Seen(None), {"missing_logic": 50})
    assert refused.value.refusal is Refusal.NOT_ALLOWED
    assert _stored() == {} and _audited() == []


def test_bad_values_are_refused_naming_each_threshold(app: Flask) -> None:
    from tracker.services import plan_health
    from tracker.services.optimistic_locking import Seen
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    with app.test_request_context(), pytest.raises(ChangeRefused) as refused:
        plan_health.change_thresholds(
            _viewer(ADMIN), programme(), Seen(None), {"high_float_days": -3, "bei": "most"}
        )
    assert refused.value.refusal is Refusal.INVALID
    assert [e.field for e in refused.value.errors] == ["high_float_days", "bei"]
    assert _stored() == {}


# --- the pages -------------------------------------------------------------------------------


def _form(client: FlaskClient, **typed: str) -> dict[str, str]:
    html = page(client.get(THRESHOLDS_URL))
    data = {
        field["name"]: field.get("value", "")
        for field in html.select("form input")
        if field.get("name") and field["name"] != "csrf_token"
    }
    data.update(typed)
    return data


def test_every_member_reads_the_plan_health_page(role_client: FlaskClient) -> None:
    response = role_client.get(BASE)
    assert response.status_code == 200
    html = page(response)
    assert html.find(id="health-summary").get_text(strip=True).startswith("7 of 12 checks pass")
    rows = html.find(id="health-checks").select("tbody tr")
    assert len(rows) == 12
    first = rows[0].get_text(" ", strip=True)
    assert "Missing logic" in first and "1 of 61 (1.6 %)" in first and "Pass" in first
    assert "Warning" in rows[1].get_text(" ", strip=True)  # leads
    details = html.find(id="check-missing_logic")
    link = details.find("a", string="GOV-13")
    assert link["href"] == f"/p/{SEED_SLUG}/milestones/GOV-13"
    change = html.find(id="change-thresholds")
    assert (change is not None) == (role_client.role == "admin")  # type: ignore[attr-defined]


def test_the_dashboard_summary_macro_links_the_failing_checks(app: Flask) -> None:
    from flask import render_template_string

    from tracker.services import plan_health

    with app.test_request_context():
        kent = programme()
        html = render_template_string(
            '{% from "health/_summary.html" import health_summary %}'
            "{{ health_summary(report, programme) }}",
            report=plan_health.report_for(kent),
            programme=kent,
        )
    card = page_of(html).find(id="plan-health-summary")
    assert card.h2.get_text(strip=True) == "Plan health: 7 of 12 checks pass"
    links = [a["href"] for a in card.find(id="plan-health-warnings")("a")]
    assert links[0] == f"{BASE}#check-leads" and len(links) == 5


def page_of(html: str) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_an_admin_changes_the_thresholds_on_the_page(admin_client: FlaskClient) -> None:
    response = admin_client.post(THRESHOLDS_URL, data=_form(admin_client, constraints="70"))
    assert response.status_code == 302 and response.location == BASE
    assert _stored() == {"constraints": 70}
    assert len(_audited()) == 1
    html = page(admin_client.get(BASE))
    assert "Saved the plan health thresholds." in html.get_text()
    assert html.find(id="health-summary").get_text(strip=True).startswith("8 of 12 checks pass")
    # The form shows what is stored; resetting puts every default back.
    assert page(admin_client.get(THRESHOLDS_URL)).find(id="constraints")["value"] == "70"
    response = admin_client.post(THRESHOLDS_URL, data=_form(admin_client, reset="y"))
    assert response.status_code == 302 and _stored() == {}
    assert "back to the DCMA defaults" in page(admin_client.get(BASE)).get_text()


def test_the_page_shows_every_bad_value_at_once_and_saves_nothing(
    admin_client: FlaskClient,
) -> None:
    data = _form(admin_client, missing_logic="lots", lag_days="300", bei="95 %", leads="1,000")
    response = admin_client.post(THRESHOLDS_URL, data=data)
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    summary_text = html.select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert "Missing logic: enter a whole percentage from 0 to 100, like 5" in summary_text
    assert (
        "Longest lag: enter a whole number of working days from 0 to 260, like 20" in summary_text
    )
    assert "Baseline execution index" not in summary_text  # "95 %" reads as 95
    assert html.find(id="missing_logic")["value"] == "lots"  # what was typed is kept
    assert html.find(id="missing_logic-error") is not None
    assert _stored() == {}


def test_a_change_made_meanwhile_is_shown_not_overwritten(
    app: Flask, admin_client: FlaskClient
) -> None:
    data = _form(admin_client, missing_logic="20")
    other = sign_in_as(app.test_client(), ADMIN)
    assert other.post(THRESHOLDS_URL, data=_form(other, leads="3")).status_code == 302
    response = admin_client.post(THRESHOLDS_URL, data=data)
    assert response.status_code == 200
    assert page(response).find(id="edit-conflict") is not None
    assert _stored() == {"leads": 3}


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER])
def test_leads_and_the_board_may_not_change_thresholds(app: Flask, email: str) -> None:
    client = sign_in_as(app.test_client(), email)
    assert client.get(THRESHOLDS_URL).status_code == 403
    assert client.post(THRESHOLDS_URL, data={"missing_logic": "50"}).status_code == 403
    assert _stored() == {} and _audited() == []


# --- the command line ------------------------------------------------------------------------


def test_the_command_prints_the_report_as_text_and_json(app: Flask) -> None:
    from tracker.cli.health import health as command

    runner = app.test_cli_runner()
    result = runner.invoke(command, [SEED_SLUG])
    assert result.exit_code == 0, result.output
    assert "plan health at 4 April 2022: 7 of 12 checks pass" in result.output
    assert "Warning: Leads: 2 (None)" in result.output
    assert "  - ASU-05 to ASU-06: finish-to-start: a lead of 3 working days" in result.output
    result = runner.invoke(command, [SEED_SLUG, "--json"])
    data = json.loads(result.output)
    assert data["passed"] == 7 and len(data["checks"]) == 12
    assert data["checks"][0]["refs"] == ["GOV-13"] and data["thresholds"]["bei"] == 95
    result = runner.invoke(command, ["nowhere"])
    assert result.exit_code == 2 and "there is no programme 'nowhere'" in result.output
