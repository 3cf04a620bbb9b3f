"""forecast_programme on a small, realistic CCG -> ICB plan (England, go-live 1 July 2022).

Today is Monday 16 May 2022. Working days are worked out by hand in the comments: 2 and 3
June 2022 are bank holidays, as are 15 and 18 April and 2 May.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tracker.scheduling import (
    AMBER,
    AT_RISK,
    BLUE,
    GREEN,
    OFF_TRACK,
    ON_TRACK,
    RED,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleError,
    ScheduleRules,
    WhyStep,
    WorkingCalendar,
    forecast_programme,
)

CAL = WorkingCalendar(date(2022, 4, 1))
TODAY = date(2022, 5, 16)
GO_LIVE = date(2022, 7, 1)
Dep = PlannedDependency


def plan() -> list[PlannedMilestone]:
    M = PlannedMilestone
    return [
        M("GOV-01", "ICB constitution approved", "GOV", "Sam Patel", "point", None,
          date(2022, 4, 29), "complete", completed_on=date(2022, 4, 28)),
        M("GOV-02", "Board appointments confirmed", "GOV", "Sam Patel", "point", None,
          date(2022, 5, 27), "not_started"),
        M("HR-01", "Staff list agreed", "HR", "Alex Moore", "activity", date(2022, 4, 4),
          date(2022, 4, 29), "in_progress"),
        M("HR-02", "TUPE consultation", "HR", "Becca Bradd", "activity", date(2022, 5, 3),
          date(2022, 5, 27), "not_started"),
        M("HR-03", "Staff transfer letters issued", "HR", "Alex Moore", "point", None,
          date(2022, 6, 10), "not_started"),
        M("FIN-01", "Final CCG accounts", "FIN", "Jo King", "activity", date(2022, 5, 3),
          date(2022, 6, 24), "in_progress", forecast=date(2022, 6, 29),
          forecast_reason="auditor availability", forecast_by="Sam Lee",
          baseline_due=date(2022, 6, 17)),
        M("GOV-09", "ICB go-live", "GOV", "Sam Patel", "point", None, GO_LIVE, "not_started",
          is_key=True, baseline_due=date(2022, 4, 1)),
        M("FIN-09", "CCG close-down report", "FIN", "Jo King", "activity", date(2022, 7, 4),
          date(2022, 9, 30), "not_started"),
    ]  # fmt: skip


def deps() -> list[PlannedDependency]:
    return [
        Dep("HR-01", "HR-02"),
        Dep("HR-02", "HR-03"),
        Dep("HR-03", "GOV-09"),
        Dep("FIN-01", "GOV-09"),
        Dep("GOV-01", "GOV-09"),
        Dep("GOV-02", "GOV-09", "FS", 20),
        Dep("GOV-09", "FIN-09"),
    ]


def run(
    milestones: list[PlannedMilestone] | None = None,
    dependencies: list[PlannedDependency] | None = None,
    **kw: object,
) -> ProgrammeForecast:
    args: dict[str, object] = {
        "go_live_ref": "GOV-09",
        "go_live_target": GO_LIVE,
        "today": TODAY,
        "calendar": CAL,
        "baseline_go_live": date(2022, 4, 1),
    }
    args.update(kw)
    return forecast_programme(
        plan() if milestones is None else milestones,
        deps() if dependencies is None else dependencies,
        **args,  # type: ignore[arg-type]
    )


def change(ref: str, **fields: object) -> list[PlannedMilestone]:
    return [replace(m, **fields) if m.ref == ref else m for m in plan()]  # type: ignore[arg-type]


# -- the base plan ----------------------------------------------------------------------------


def test_overdue_milestone_is_forecast_for_the_next_working_day() -> None:
    # HR-01 (4-29 April, 18 working days: not 15 and 18 April) is overdue on 16 May, so it
    # cannot finish before the next working day, Tuesday 17 May; moved whole, it starts 18
    # working days earlier, on 21 April. Slip: 3-6, 9-13, 16, 17 May = 11 working days.
    f = run().milestones["HR-01"]
    assert (f.forecast_start, f.forecast_due) == (date(2022, 4, 21), date(2022, 5, 17))
    assert f.slip_days == 11
    assert f.overdue
    assert (f.rag, f.rag_reason) == (RED, "Overdue: due 29 April 2022")
    assert f.why == ()
    assert f.explanation == (
        "Overdue: due 29 April 2022 and not complete, so forecast no earlier than the next "
        "working day, 17 May 2022."
    )


def test_forecast_pushed_by_a_late_predecessor() -> None:
    # HR-02 (3-27 May: 19 working days) must wait for HR-01 (FS), forecast to end on 17
    # May: it runs 18 May to 15 June (18-20, 23-27, 30-31 May, 1, 6-10, 13-15 June).
    # Slip: 30, 31 May, 1, 6-10, 13-15 June = 11 working days.
    f = run().milestones["HR-02"]
    assert (f.forecast_start, f.forecast_due) == (date(2022, 5, 18), date(2022, 6, 15))
    assert f.slip_days == 11
    assert not f.overdue
    assert (f.rag, f.rag_reason) == (AMBER, "Forecast later than due by 11 working days")
    assert f.why == (
        WhyStep("HR-01", "Staff list agreed", "Alex Moore", "overdue: was due 29 April 2022"),
    )
    assert f.explanation == (
        "Forecast 15 June 2022 because 'Staff list agreed' (overdue: was due 29 April 2022, "
        "owner Alex Moore) must finish first."
    )


def test_why_chain_names_the_late_predecessor_and_the_root_cause() -> None:
    # HR-03 (point, due 10 June) waits for HR-02, forecast 15 June: slip 13, 14, 15 June = 3.
    f = run().milestones["HR-03"]
    assert f.forecast_due == f.forecast_start == date(2022, 6, 15)
    assert f.slip_days == 3
    assert [step.ref for step in f.why] == ["HR-02", "HR-01"]
    assert f.why[0] == WhyStep("HR-02", "TUPE consultation", "Becca Bradd", "late")
    assert f.explanation == (
        "Forecast 15 June 2022 because 'TUPE consultation' (late, owner Becca Bradd) must "
        "finish first. The delay starts with 'Staff list agreed' (overdue: was due 29 April "
        "2022, owner Alex Moore)."
    )


def test_forecast_pushed_by_the_leads_forecast() -> None:
    # FIN-01 (3 May - 24 June, 37 working days) has a lead forecast of 29 June: the whole
    # activity moves 3 working days (27-29 June), so it starts 6 May.
    # Float against go-live on 1 July: 30 June and 1 July = 2 working days.
    # Baseline due 17 June: 20-24, 27-29 June = 8 working days of baseline slip.
    f = run().milestones["FIN-01"]
    assert (f.forecast_start, f.forecast_due) == (date(2022, 5, 6), date(2022, 6, 29))
    assert f.slip_days == 3
    assert f.baseline_slip_days == 8
    assert f.total_float == 2 and f.free_float == 2
    assert not f.critical
    assert (f.rag, f.rag_reason) == (AMBER, "Forecast later than due by 3 working days")
    assert f.why == ()
    assert f.explanation == ("Forecast 29 June 2022, as forecast by Sam Lee: auditor availability.")


def test_due_soon_with_little_float_is_amber() -> None:
    # GOV-02 (point, 27 May) feeds go-live with a 20-working-day lag: 20 working days after
    # 27 May is 28 June, leaving 29, 30 June and 1 July: 3 days' float.
    # 27 May is 9 working days after 16 May: due within 10 with less than 5 days' float.
    f = run().milestones["GOV-02"]
    assert f.forecast_due == date(2022, 5, 27) and f.slip_days == 0
    assert f.total_float == 3
    assert (f.rag, f.rag_reason) == (AMBER, "Due within 10 working days with 3 days' float")
    assert f.explanation == "Forecast 27 May 2022, as planned."


def test_complete_milestone_is_blue_and_fixed() -> None:
    f = run().milestones["GOV-01"]
    assert f.forecast_due == date(2022, 4, 28)
    assert f.slip_days == -1  # a day early
    assert (f.rag, f.rag_reason) == (BLUE, "Complete: 28 April 2022")
    assert (f.total_float, f.free_float, f.critical, f.overdue) == (0, 0, False, False)
    assert f.explanation == "Completed on 28 April 2022."


def test_go_live_forecast_float_and_status() -> None:
    # Go-live is planned on the target; the work feeding it ends 29 June at the latest
    # (FIN-01), so its float is 2: "at risk" (0-9).
    fc = run()
    assert fc.forecast_go_live == GO_LIVE
    assert fc.slip_days == 0
    assert fc.go_live_float == 2
    assert fc.status == AT_RISK
    # 16 May -> 1 July: 33 working days less 2 and 3 June.
    assert fc.working_days_to_go_live == 32
    # The original target was 1 April 2022: 60 working days later.
    assert fc.baseline_slip_days == 60
    go = fc.milestones["GOV-09"]
    assert go.total_float == 2 and not go.critical
    assert (go.rag, go.rag_reason) == (GREEN, "On track")
    assert go.baseline_slip_days == 60


def test_driving_path_is_shown_even_with_slack() -> None:
    # No link into go-live binds (go-live sits on its own date), so the path follows the
    # least slack: FIN-01 (2 days) rather than GOV-02 (3), HR-03 (12) or GOV-01.
    fc = run()
    assert fc.driving_path == ("FIN-01", "GOV-09")
    assert {r for r, m in fc.milestones.items() if m.on_driving_path} == {"FIN-01", "GOV-09"}


def test_post_go_live_work_is_measured_against_the_end_of_the_plan() -> None:
    # FIN-09 (after go-live) ends the plan, so it is critical against the end of the plan,
    # but not red just for being after go-live.
    fc = run()
    f = fc.milestones["FIN-09"]
    assert (f.forecast_start, f.forecast_due) == (date(2022, 7, 4), date(2022, 9, 30))
    assert f.total_float == 0 and f.critical
    assert f.rag == GREEN
    assert fc.critical_refs == ("FIN-09",)


def test_workstream_rag_is_the_worst_milestone() -> None:
    fc = run()
    assert fc.workstream_rags == {"GOV": AMBER, "HR": RED, "FIN": AMBER}
    assert fc.workstream_rag("HR") == RED
    assert fc.workstream_rag("NONE") is None


def test_all_complete_workstream_is_blue() -> None:
    done = [
        replace(m, status="complete", completed_on=m.due) if m.workstream == "HR" else m
        for m in plan()
    ]
    fc = run(done)
    assert fc.workstream_rag("HR") == BLUE
    assert {fc.milestones[r].rag for r in ("HR-01", "HR-02", "HR-03")} == {BLUE}


# -- thresholds and other scenarios --------------------------------------------------------


@pytest.mark.parametrize(("on_track_float", "status"), [(2, ON_TRACK), (3, AT_RISK), (10, AT_RISK)])
def test_status_thresholds(on_track_float: int, status: str) -> None:
    fc = run(rules=ScheduleRules(on_track_float=on_track_float))
    assert fc.go_live_float == 2
    assert fc.status == status


def test_amber_rule_is_configurable() -> None:
    # With the amber window at 8 working days, GOV-02 (due in 9) is green.
    fc = run(rules=ScheduleRules(amber_due_within=8))
    assert fc.milestones["GOV-02"].rag == GREEN
    fc = run(rules=ScheduleRules(amber_float=3))
    assert fc.milestones["GOV-02"].rag == GREEN
    fc = run(rules=ScheduleRules(amber_float=4))
    assert fc.milestones["GOV-02"].rag_reason == "Due within 10 working days with 3 days' float"


def test_late_lead_forecast_pushes_go_live_off_track() -> None:
    # FIN-01 now forecast for 6 July: go-live follows (FS) to 6 July, 3 working days late
    # (4, 5, 6 July): float -3, "off track", and both are red.
    fc = run(change("FIN-01", forecast=date(2022, 7, 6)))
    assert fc.forecast_go_live == date(2022, 7, 6)
    assert fc.slip_days == 3
    assert fc.go_live_float == -3
    assert fc.status == OFF_TRACK
    go = fc.milestones["GOV-09"]
    assert (go.rag, go.rag_reason) == (RED, "Negative float: -3 working days")
    assert go.critical
    assert fc.milestones["FIN-01"].rag_reason == "Negative float: -3 working days"
    assert fc.driving_path == ("FIN-01", "GOV-09")
    assert go.why == (
        WhyStep(
            "FIN-01",
            "Final CCG accounts",
            "Jo King",
            "late: lead forecasts 6 July 2022 (auditor availability)",
        ),
    )
    assert go.explanation == (
        "Forecast 6 July 2022 because 'Final CCG accounts' (late: lead forecasts 6 July 2022 "
        "(auditor availability), owner Jo King) must finish first."
    )
    # Close-down moves with go-live (7 July start, 3 days later end) and stays on the end.
    assert fc.milestones["FIN-09"].forecast_start == date(2022, 7, 7)
    assert fc.critical_refs == ("FIN-01", "GOV-09", "FIN-09")


def test_comfortable_plan_is_on_track() -> None:
    # Without the late accounts and the long lag, the latest feed is HR-03 on 15 June:
    # float = 16, 17, 20-24, 27-30 June, 1 July = 12 -> on track.
    milestones = change("FIN-01", forecast=None, due=date(2022, 6, 10))
    fc = run(milestones, [d for d in deps() if d.predecessor != "GOV-02"])
    assert fc.go_live_float == 12
    assert fc.status == ON_TRACK
    assert fc.driving_path == ("HR-01", "HR-02", "HR-03", "GOV-09")


def test_completed_late_predecessor_with_lag() -> None:
    M = PlannedMilestone
    milestones = [
        M("FIN-02", "Due diligence", "FIN", "Jo King", "activity", date(2022, 5, 3),
          date(2022, 5, 6), "complete", completed_on=date(2022, 5, 13)),
        M("FIN-03", "Transfer scheme signed", "FIN", "Jo King", "point", None,
          date(2022, 5, 18), "not_started"),
        M("GO", "Go-live", "GOV", "Sam Patel", "point", None, GO_LIVE, "not_started"),
    ]  # fmt: skip
    dependencies = [Dep("FIN-02", "FIN-03", "FS", 5), Dep("FIN-03", "GO")]
    fc = run(milestones, dependencies, go_live_ref="GO")
    due_diligence = fc.milestones["FIN-02"]
    # Done 3 May to 13 May: 5 working days late (9-13 May).
    assert (due_diligence.forecast_start, due_diligence.forecast_due) == (
        date(2022, 5, 3),
        date(2022, 5, 13),
    )
    assert due_diligence.slip_days == 5
    assert due_diligence.explanation == "Completed on 13 May 2022, 5 working days late."
    # FIN-03 waits 5 working days after 13 May: 16-20 May -> 20 May, 2 days late (19, 20).
    f = fc.milestones["FIN-03"]
    assert f.forecast_due == date(2022, 5, 20) and f.slip_days == 2
    assert f.why == (
        WhyStep("FIN-02", "Due diligence", "Jo King", "completed late on 13 May 2022"),
    )
    assert f.explanation == (
        "Forecast 20 May 2022 because 'Due diligence' (completed late on 13 May 2022, owner "
        "Jo King) must finish first, plus 5 working days."
    )
    # The path ends (at its start) with the completed milestone: earlier work is history.
    assert fc.driving_path == ("FIN-02", "FIN-03", "GO")


def test_activity_completed_before_its_planned_start() -> None:
    # HR-02 was planned 3-27 May but was done on 29 April: it is taken to have run on 29
    # April only. Slip: -(3-6, 9-13, 16-20, 23-27 May) = -19. HR-03 is then back on plan.
    milestones = change("HR-02", status="complete", completed_on=date(2022, 4, 29))
    fc = run(milestones)
    f = fc.milestones["HR-02"]
    assert (f.forecast_start, f.forecast_due) == (date(2022, 4, 29), date(2022, 4, 29))
    assert f.slip_days == -19
    assert f.rag == BLUE
    assert fc.milestones["HR-03"].forecast_due == date(2022, 6, 10)
    assert fc.milestones["HR-03"].explanation == "Forecast 10 June 2022, as planned."


def test_earlier_lead_forecast_does_not_pull_a_milestone_forward() -> None:
    f = run(change("GOV-02", forecast=date(2022, 5, 20))).milestones["GOV-02"]
    assert f.forecast_due == date(2022, 5, 27)
    assert f.explanation == "Forecast 27 May 2022, as planned."


def test_go_live_with_no_feeds_has_float_until_the_target() -> None:
    M = PlannedMilestone
    lone = [M("GO", "Go-live", "GOV", "", "point", None, GO_LIVE, "not_started")]
    fc = run(lone, [], go_live_ref="GO")
    assert fc.go_live_float == fc.working_days_to_go_live == 32
    assert fc.driving_path == ("GO",)


def test_completed_go_live() -> None:
    M = PlannedMilestone
    done = [
        M("GO", "Go-live", "GOV", "Sam Patel", "point", None, GO_LIVE, "complete",
          completed_on=date(2022, 6, 29)),
    ]  # fmt: skip
    fc = run(done, [], go_live_ref="GO", today=date(2022, 7, 4))
    assert fc.forecast_go_live == date(2022, 6, 29)
    assert fc.go_live_float == 2 and fc.status == AT_RISK
    assert fc.slip_days == -2
    assert fc.milestones["GO"].rag == BLUE


# -- errors ------------------------------------------------------------------------------------


def test_cycle_names_refs() -> None:
    bad = [*deps(), Dep("HR-03", "HR-01")]
    with pytest.raises(
        ScheduleError, match=r"^dependency cycle: HR-01 -> HR-02 -> HR-03 -> HR-01$"
    ):
        run(dependencies=bad)


@pytest.mark.parametrize(
    ("milestones", "dependencies", "kw", "message"),
    [
        (None, [Dep("HR-01", "HR-99")], {}, "link HR-01 -> HR-99: unknown activity 'HR-99'"),
        (None, [Dep("HR-01", "HR-02", "XS")], {}, "unknown dependency type 'XS'"),
        (None, None, {"go_live_ref": "GOV-99"}, "go-live milestone 'GOV-99' is not in the plan"),
        ([*plan(), plan()[0]], None, {}, "duplicate milestone ref 'GOV-01'"),
        (
            change("HR-02", planned_start=None),
            None,
            {},
            "milestone 'HR-02': an activity needs a planned start",
        ),
        (
            change("HR-02", planned_start=date(2022, 6, 1)),
            None,
            {},
            "milestone 'HR-02': planned start 1 June 2022 is after its due date 27 May 2022",
        ),
        (change("HR-02", status="done"), None, {}, "milestone 'HR-02': unknown status 'done'"),
    ],
)
def test_bad_plans(
    milestones: list[PlannedMilestone] | None,
    dependencies: list[PlannedDependency] | None,
    kw: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ScheduleError) as exc:
        run(milestones, dependencies, **kw)
    assert message in str(exc.value)
