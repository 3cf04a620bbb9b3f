"""What-if scenarios (issue 20): the pure domain (tracker/domain/scenarios.py).

Each kind of edit on a small plan with exact dates; the JSON each is stored as; every refusal
naming the edit by its position; what a scenario does (compare, quick_slip); what changed in
the plan since a scenario was made (rebase_check); and a property test: applying random edits
to random plans forecasts the same as making the same edits to a copy of the plan by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.forecast_effect import Plan
from tracker.domain.scenarios import (
    SCENARIO_FORECASTER,
    AddLink,
    AddMilestone,
    Edit,
    NewLink,
    RemoveLink,
    ScenarioError,
    SetDates,
    SetDuration,
    SetForecast,
    SetGoLiveTarget,
    SetLag,
    Slip,
    apply,
    compare,
    edit_from_json,
    edits_from_json,
    edits_to_json,
    quick_slip,
    rebase_check,
    resolve,
    what_if,
)
from tracker.domain.validation import DateWindow
from tracker.scheduling import (
    LINK_TYPES,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    WorkingCalendar,
    forecast_programme,
)

CAL = WorkingCalendar(date(2022, 1, 3), "ENG")
TODAY = date(2022, 4, 4)
TARGET = date(2022, 5, 20)

# --- a small plan ----------------------------------------------------------------------------
# FIN-01 (activity, 4 to 29 April) -> FIN-02 (point, 13 May) -> GOV-01 (go-live, 20 May);
# ENG-01 (6 May) feeds nothing; PEO-01 was completed on 1 April. Go-live has 5 working days
# of slack (16 to 20 May) and FIN-01 has 14 (the 2 May bank holiday between).


def point(ref: str, due: date, status: str = "not_started", **fields: Any) -> PlannedMilestone:
    return PlannedMilestone(
        ref, f"Title {ref}", ref[:3], "Owner", "point", None, due, status, **fields
    )


def small_plan(*dependencies: PlannedDependency, **changes: Any) -> Plan:
    milestones = (
        PlannedMilestone(
            "FIN-01",
            "Draft accounts",
            "FIN",
            "Ann",
            "activity",
            date(2022, 4, 4),
            date(2022, 4, 29),
            "in_progress",
        ),
        point("FIN-02", date(2022, 5, 13)),
        point("ENG-01", date(2022, 5, 6)),
        point("PEO-01", date(2022, 4, 1), status="complete", completed_on=date(2022, 4, 1)),
        point("GOV-01", TARGET),
    )
    plan = Plan(
        milestones,
        dependencies
        or (PlannedDependency("FIN-01", "FIN-02"), PlannedDependency("FIN-02", "GOV-01")),
        go_live_ref="GOV-01",
        go_live_target=TARGET,
        today=TODAY,
        calendar=CAL,
    )
    return replace(plan, **changes)


PLAN = small_plan()
BEFORE = PLAN.forecast()


def forecast_after(*edits: Edit, plan: Plan = PLAN) -> ProgrammeForecast:
    return apply(plan, edits).forecast()


def refused(*edits: Edit, plan: Plan = PLAN) -> str:
    with pytest.raises(ScenarioError) as caught:
        apply(plan, edits)
    return str(caught.value)


def test_the_small_plan_as_it_stands() -> None:
    assert (BEFORE.forecast_go_live, BEFORE.go_live_float, BEFORE.status) == (
        TARGET,
        5,
        "at risk",
    )
    assert BEFORE.milestones["FIN-01"].total_float == 14


# --- each kind of edit -----------------------------------------------------------------------


def test_a_forecast_uses_slack_and_is_the_scenarios() -> None:
    after = forecast_after(SetForecast("FIN-02", date(2022, 5, 18)))
    assert after.milestones["FIN-02"].forecast_due == date(2022, 5, 18)
    assert (after.forecast_go_live, after.go_live_float) == (TARGET, 2)
    assert after.milestones["FIN-02"].explanation == (
        "Forecast 18 May 2022, as forecast by the scenario."
    )
    edited = apply(PLAN, [SetForecast("FIN-02", date(2022, 5, 18))]).milestone("FIN-02")
    assert edited is not None and edited.forecast_by == SCENARIO_FORECASTER


def test_a_forecast_of_none_takes_the_leads_forecast_away() -> None:
    late = PLAN.with_changes(
        replace(point("FIN-02", date(2022, 5, 13)), forecast=date(2022, 5, 25), forecast_by="Jo")
    )
    assert late.forecast().forecast_go_live == date(2022, 5, 25)
    after = forecast_after(SetForecast("FIN-02", None), plan=late)
    assert after.forecast_go_live == TARGET
    cleared = apply(late, [SetForecast("FIN-02", None)]).milestone("FIN-02")
    assert cleared is not None
    assert (cleared.forecast, cleared.forecast_by, cleared.forecast_reason) == (None, None, None)


def test_a_slip_moves_the_forecast_n_working_days_later() -> None:
    after = forecast_after(Slip("FIN-02", 3))
    assert after.milestones["FIN-02"].forecast_due == date(2022, 5, 18)  # 16, 17, 18 May
    # An activity slips whole: 29 April + 5 working days (2 May is a bank holiday) = 9 May,
    # and its start moves from 4 to 11 April.
    fin = forecast_after(Slip("FIN-01", 5)).milestones["FIN-01"]
    assert (fin.forecast_start, fin.forecast_due) == (date(2022, 4, 11), date(2022, 5, 9))
    assert fin.explanation == (
        "Forecast 9 May 2022, as forecast by the scenario: a slip of 5 working days."
    )


def test_a_slip_counts_from_the_forecast_as_edited_so_far() -> None:
    # FIN-01 forecast 18 May pushes FIN-02 to 18 May; slipping FIN-02 two more working days
    # takes it to 20 May (from its due date 13 May it would be 17 May).
    after = forecast_after(SetForecast("FIN-01", date(2022, 5, 18)), Slip("FIN-02", 2))
    assert after.milestones["FIN-02"].forecast_due == date(2022, 5, 20)
    assert (after.forecast_go_live, after.go_live_float) == (TARGET, 0)
    assert resolve(PLAN, [SetForecast("FIN-01", date(2022, 5, 18)), Slip("FIN-02", 2)]) == (
        SetForecast("FIN-01", date(2022, 5, 18)),
        SetForecast("FIN-02", date(2022, 5, 20)),
    )


def test_a_slip_uses_the_plans_forecast_when_given() -> None:
    # The forecast given is the caller's; a stale one would give another answer, so this
    # shows it is used rather than worked out again.
    pushed = forecast_after(SetForecast("FIN-02", date(2022, 5, 18)))
    moved = apply(PLAN, [Slip("FIN-02", 1)], before=pushed).milestone("FIN-02")
    assert moved is not None and moved.forecast == date(2022, 5, 19)


def test_a_duration_moves_the_due_date() -> None:
    # 10 working days from Monday 4 April: 4 to 8, 11 to 14 April, then Good Friday and
    # Easter Monday, so the tenth is Tuesday 19 April.
    scenario = apply(PLAN, [SetDuration("FIN-01", 10)])
    fin = scenario.milestone("FIN-01")
    assert fin is not None and (fin.planned_start, fin.due) == (date(2022, 4, 4), date(2022, 4, 19))
    assert CAL.duration(date(2022, 4, 4), date(2022, 4, 19)) == 10
    assert scenario.forecast().milestones["FIN-01"].total_float == 22
    assert resolve(PLAN, [SetDuration("FIN-01", 10)]) == (
        SetDates("FIN-01", date(2022, 4, 4), date(2022, 4, 19)),
    )


def test_a_duration_is_refused_for_a_point_and_for_less_than_a_day() -> None:
    assert refused(SetDuration("FIN-02", 3)) == (
        "Edit 1: FIN-02 is a point in time, not an activity: it has no duration to change "
        "(change its due date instead)"
    )
    assert refused(SetDuration("FIN-01", 0)) == (
        "Edit 1: an activity takes at least 1 working day, not 0"
    )


def test_new_dates() -> None:
    scenario = apply(
        PLAN,
        [SetDates("FIN-01", date(2022, 4, 11), date(2022, 5, 6)), SetDates("FIN-02", None, TARGET)],
    )
    fin1, fin2 = scenario.milestone("FIN-01"), scenario.milestone("FIN-02")
    assert fin1 is not None and (fin1.planned_start, fin1.due) == (
        date(2022, 4, 11),
        date(2022, 5, 6),
    )
    assert fin2 is not None and (fin2.planned_start, fin2.due) == (None, TARGET)
    after = scenario.forecast()
    assert after.milestones["FIN-02"].forecast_due == TARGET
    assert (after.forecast_go_live, after.go_live_float) == (TARGET, 0)
    # An activity given no planned start keeps its own.
    kept = apply(PLAN, [SetDates("FIN-01", None, date(2022, 5, 13))]).milestone("FIN-01")
    assert kept is not None and (kept.planned_start, kept.due) == (
        date(2022, 4, 4),
        date(2022, 5, 13),
    )


def test_dates_a_milestone_cannot_have() -> None:
    assert refused(SetDates("FIN-02", date(2022, 5, 2), date(2022, 5, 13))) == (
        "Edit 1: FIN-02 is a point in time: it has no separate planned start"
    )
    assert refused(SetDates("FIN-01", date(2022, 5, 2), date(2022, 4, 29))) == (
        "Edit 1: the due date 29 April 2022 is before the planned start 2 May 2022"
    )
    window = DateWindow(date(2021, 1, 1), date(2027, 12, 31), "the programme's window")
    with pytest.raises(ScenarioError) as caught:
        apply(PLAN, [SetDates("FIN-02", None, date(2029, 5, 13))], window=window)
    assert str(caught.value) == (
        "Edit 1: The due date 13 May 2029 is outside the programme's window: enter a date "
        "from 1 January 2021 to 31 December 2027"
    )
    assert caught.value.field == "due"


def test_a_lag() -> None:
    after = forecast_after(SetLag("FIN-02", "GOV-01", 3))
    assert (after.forecast_go_live, after.go_live_float) == (TARGET, 2)
    scenario = apply(PLAN, [SetLag("FIN-02", "GOV-01", 3)])
    assert scenario.dependencies[1] == PlannedDependency("FIN-02", "GOV-01", "FS", 3)  # in place
    late = forecast_after(SetLag("FIN-02", "GOV-01", 7))
    assert (late.forecast_go_live, late.go_live_float) == (date(2022, 5, 24), -2)


def test_a_lag_beyond_the_limit_is_refused_by_the_apps_rule() -> None:
    assert refused(SetForecast("FIN-02", date(2022, 5, 18)), SetLag("FIN-02", "GOV-01", 261)) == (
        "Edit 2: The lag of 261 working days is more than a year: keep the lag within 260 "
        "working days either way, like 5, or -2 for a lead"
    )
    assert "The lead of 300 working days" in refused(AddLink("ENG-01", "GOV-01", "FS", -300))
    assert apply(PLAN, [SetLag("FIN-02", "GOV-01", -260)]).dependencies[1].lag == -260


def test_a_lag_names_its_link_when_the_pair_has_two() -> None:
    plan = small_plan(
        PlannedDependency("FIN-01", "FIN-02", "SS"),
        PlannedDependency("FIN-01", "FIN-02", "FF", 2),
        PlannedDependency("FIN-02", "GOV-01"),
    )
    assert refused(SetLag("FIN-01", "FIN-02", 4), plan=plan) == (
        "Edit 1: FIN-01 -> FIN-02 has 2 links (SS and FF): say which type"
    )
    edited = apply(plan, [SetLag("FIN-01", "FIN-02", 4, "FF")])
    assert edited.dependencies[1] == PlannedDependency("FIN-01", "FIN-02", "FF", 4)
    assert refused(SetLag("FIN-01", "FIN-02", 4, "SF"), plan=plan) == (
        "Edit 1: there is no SF link FIN-01 -> FIN-02 in the plan"
    )
    assert refused(SetLag("ENG-01", "GOV-01", 4)) == (
        "Edit 1: there is no link ENG-01 -> GOV-01 in the plan"
    )


def test_a_new_link() -> None:
    # ENG-01 (6 May) + 8 working days: go-live could be 18 May, so 2 days of slack are left.
    after = forecast_after(AddLink("ENG-01", "GOV-01", "FS", 8))
    assert (after.forecast_go_live, after.go_live_float) == (TARGET, 2)
    scenario = apply(PLAN, [AddLink("ENG-01", "GOV-01", "FS", 8)])
    assert scenario.dependencies[-1] == PlannedDependency("ENG-01", "GOV-01", "FS", 8)


def test_links_that_cannot_be_added() -> None:
    assert refused(AddLink("FIN-01", "FIN-02")) == "Edit 1: FIN-02 already depends on FIN-01 (FS)"
    assert apply(PLAN, [AddLink("FIN-01", "FIN-02", "SS")]).dependencies[-1].type == "SS"
    assert refused(AddLink("FIN-02", "FIN-02")) == "Edit 1: FIN-02 cannot depend on itself"
    assert refused(AddLink("FIN-02", "XYZ-09")) == "Edit 1: XYZ-09 is not in the plan"
    assert refused(AddLink("ENG-01", "GOV-01", "XX")) == "Edit 1: 'XX' must be FS, SS, FF or SF"


def test_a_loop_is_refused_naming_its_milestones() -> None:
    assert refused(AddLink("GOV-01", "FIN-01")) == (
        "Edit 1: the link GOV-01 -> FIN-01 would make a loop: GOV-01 -> FIN-01 -> FIN-02 -> GOV-01"
    )
    # A loop made of a link the scenario added and one it adds later.
    assert refused(
        SetForecast("FIN-02", date(2022, 5, 16)),
        AddLink("GOV-01", "ENG-01"),
        AddLink("ENG-01", "FIN-01"),
    ) == (
        "Edit 3: the link ENG-01 -> FIN-01 would make a loop: "
        "ENG-01 -> FIN-01 -> FIN-02 -> GOV-01 -> ENG-01"
    )
    # Taken away first, the link back is no loop.
    apply(PLAN, [RemoveLink("FIN-02", "GOV-01"), AddLink("GOV-01", "FIN-01")]).forecast()


def test_removing_a_link() -> None:
    scenario = apply(PLAN, [RemoveLink("FIN-02", "GOV-01")])
    assert scenario.dependencies == (PlannedDependency("FIN-01", "FIN-02"),)
    # Go-live then waits for nothing: its slack runs from today to the target.
    assert scenario.forecast().go_live_float == CAL.working_days_between(TODAY, TARGET)
    assert refused(RemoveLink("FIN-02", "GOV-01"), RemoveLink("FIN-02", "GOV-01")) == (
        "Edit 2: there is no link FIN-02 -> GOV-01 in the plan"
    )
    two = small_plan(
        PlannedDependency("FIN-01", "FIN-02", "SS"),
        PlannedDependency("FIN-01", "FIN-02", "FF", 2),
    )
    assert apply(two, [RemoveLink("FIN-01", "FIN-02", "SS")]).dependencies == (
        PlannedDependency("FIN-01", "FIN-02", "FF", 2),
    )
    assert apply(two, [RemoveLink("FIN-01", "FIN-02")]).dependencies == ()


REVIEW = AddMilestone(
    "GOV-02",
    "Readiness review",
    "GOV",
    "activity",
    date(2022, 5, 9),
    date(2022, 5, 19),
    predecessors=(NewLink("FIN-02"),),
    successors=(NewLink("GOV-01"),),
)


def test_a_new_milestone_in_the_path_to_go_live() -> None:
    # 9 to 19 May is 9 working days; after FIN-02 (13 May) it runs 16 to 26 May, and go-live
    # waits for it: 26 May, 4 working days late.
    scenario = apply(PLAN, [REVIEW])
    added = scenario.milestone("GOV-02")
    assert added == PlannedMilestone(
        "GOV-02",
        "Readiness review",
        "GOV",
        "",
        "activity",
        date(2022, 5, 9),
        date(2022, 5, 19),
        "not_started",
    )
    assert scenario.dependencies[-2:] == (
        PlannedDependency("FIN-02", "GOV-02"),
        PlannedDependency("GOV-02", "GOV-01"),
    )
    after = scenario.forecast()
    review = after.milestones["GOV-02"]
    assert (review.forecast_start, review.forecast_due) == (date(2022, 5, 16), date(2022, 5, 26))
    assert (after.forecast_go_live, after.slip_days, after.status) == (
        date(2022, 5, 26),
        4,
        "off track",
    )


def test_new_milestones_that_cannot_be_added() -> None:
    clash = replace(REVIEW, ref="FIN-02")
    assert refused(clash) == (
        "Edit 1: FIN-02 is already in the plan: give the new milestone its own ref"
    )
    assert refused(REVIEW, replace(REVIEW, title="Again")) == (
        "Edit 2: GOV-02 is already in the plan: give the new milestone its own ref"
    )
    assert refused(replace(REVIEW, ref="review")) == (
        "Edit 1: 'review' must look like GOV-01 (code, dash, number)"
    )
    assert refused(replace(REVIEW, predecessors=(NewLink("GOV-01"),))) == (
        "Edit 1: GOV-02 would be in a loop: GOV-02 -> GOV-01 -> GOV-02"
    )
    assert refused(
        replace(REVIEW, predecessors=(NewLink("GOV-01"),), successors=(NewLink("FIN-01"),))
    ) == ("Edit 1: GOV-02 would be in a loop: GOV-02 -> FIN-01 -> FIN-02 -> GOV-01 -> GOV-02")
    assert refused(replace(REVIEW, predecessors=(NewLink("NOT-01"),))) == (
        "Edit 1: NOT-01 is not in the plan"
    )
    assert refused(replace(REVIEW, kind="point")) == (
        "Edit 1: A point milestone has no separate start date"
    )
    assert refused(replace(REVIEW, successors=(NewLink("GOV-01", "FS", 999),))) == (
        "Edit 1: The lag of 999 working days is more than a year: keep the lag within 260 "
        "working days either way, like 5, or -2 for a lead"
    )


def test_a_new_go_live_target() -> None:
    after = forecast_after(SetGoLiveTarget(date(2022, 5, 27)))
    assert (after.go_live_target, after.forecast_go_live, after.go_live_float) == (
        date(2022, 5, 27),
        TARGET,
        10,
    )
    assert after.status == "on track"


def test_a_completed_milestone_is_history() -> None:
    assert refused(SetForecast("PEO-01", date(2022, 5, 2))) == (
        "Edit 1: PEO-01 was completed on 1 April 2022, so it cannot be given a forecast"
    )
    assert refused(Slip("PEO-01", 2)) == (
        "Edit 1: PEO-01 was completed on 1 April 2022, so it cannot slip"
    )
    assert refused(SetDates("PEO-01", None, date(2022, 5, 2))) == (
        "Edit 1: PEO-01 was completed on 1 April 2022, so it cannot change its dates"
    )


def test_unknown_milestones_are_named_with_the_edits_position() -> None:
    assert refused(Slip("FIN-02", 1), SetForecast("FIN-09", date(2022, 5, 2))) == (
        "Edit 2: FIN-09 is not in the plan"
    )
    assert refused(Slip("FIN-02", 1), Slip("FIN-02", 1), RemoveLink("FIN-01", "FIN-09")) == (
        "Edit 3: FIN-09 is not in the plan"
    )
    with pytest.raises(ScenarioError) as caught:
        apply(PLAN, [SetLag("NOPE-1", "GOV-01", 2)])
    assert (caught.value.position, caught.value.field) == (1, "predecessor")


def test_slips_that_cannot_be() -> None:
    assert refused(Slip("FIN-02", 0)) == (
        "Edit 1: a slip is at least 1 working day, not 0: to bring FIN-02 forward, change its dates"
    )
    assert refused(Slip("FIN-02", 261)) == (
        "Edit 1: a slip of 261 working days is more than a year: keep it within 260 working days"
    )


def test_edits_apply_in_order_and_the_plan_is_untouched() -> None:
    edits = [SetForecast("FIN-02", date(2022, 5, 25)), SetForecast("FIN-02", None)]
    assert forecast_after(*edits) == BEFORE
    assert small_plan() == PLAN
    assert apply(PLAN, []) == PLAN


# --- JSON ------------------------------------------------------------------------------------

EVERY_KIND: list[Edit] = [
    SetForecast("FIN-02", date(2022, 5, 18)),
    SetForecast("FIN-02", None),
    Slip("FIN-02", 3),
    SetDuration("FIN-01", 10),
    SetDates("FIN-01", date(2022, 4, 11), date(2022, 5, 6)),
    SetDates("FIN-02", None, date(2022, 5, 16)),
    SetLag("FIN-02", "GOV-01", -2),
    SetLag("FIN-01", "FIN-02", 4, "FS"),
    AddLink("ENG-01", "GOV-01", "SS", 5),
    RemoveLink("FIN-01", "FIN-02"),
    RemoveLink("FIN-01", "FIN-02", "FF"),
    REVIEW,
    replace(REVIEW, ref="GOV-03", successors=(NewLink("GOV-01", "FF", -1),)),
    SetGoLiveTarget(date(2022, 7, 1)),
]


def test_every_kind_of_edit_round_trips_through_json() -> None:
    stored = json.dumps(edits_to_json(EVERY_KIND))
    assert edits_from_json(json.loads(stored)) == tuple(EVERY_KIND)
    assert {e.to_json()["edit"] for e in EVERY_KIND} == {
        "set_forecast",
        "slip",
        "set_duration",
        "set_dates",
        "set_lag",
        "add_link",
        "remove_link",
        "add_milestone",
        "set_go_live_target",
    }


def test_the_json_shapes() -> None:
    assert Slip("FIN-02", 3).to_json() == {"edit": "slip", "ref": "FIN-02", "days": 3}
    assert SetForecast("FIN-02", None).to_json() == {
        "edit": "set_forecast",
        "ref": "FIN-02",
        "forecast": None,
    }
    assert REVIEW.to_json() == {
        "edit": "add_milestone",
        "ref": "GOV-02",
        "title": "Readiness review",
        "workstream": "GOV",
        "kind": "activity",
        "planned_start": "2022-05-09",
        "due": "2022-05-19",
        "predecessors": [{"ref": "FIN-02", "type": "FS", "lag": 0}],
        "successors": [{"ref": "GOV-01", "type": "FS", "lag": 0}],
    }
    # Fields with a default may be left out.
    assert edit_from_json({"edit": "add_link", "predecessor": "A-1", "successor": "B-1"}) == (
        AddLink("A-1", "B-1", "FS", 0)
    )
    assert edit_from_json(
        {
            "edit": "add_milestone",
            "ref": "GOV-02",
            "title": "T",
            "workstream": "GOV",
            "kind": "point",
            "planned_start": None,
            "due": "2022-05-19",
            "predecessors": [{"ref": "FIN-02", "lag": 2}],
        }
    ) == AddMilestone(
        "GOV-02", "T", "GOV", "point", None, date(2022, 5, 19), (NewLink("FIN-02", "FS", 2),)
    )


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"edit": "slip", "ref": "FIN-02"}, "Edit 3: 'days' is missing", "days"),
        (
            {"edit": "slip", "ref": "FIN-02", "days": 1.5},
            "Edit 3: 'days' must be a whole number of working days",
            "days",
        ),
        (
            {"edit": "slip", "ref": "FIN-02", "days": True},
            "Edit 3: 'days' must be a whole number of working days",
            "days",
        ),
        (
            {"edit": "slip", "ref": 7, "days": 1},
            "Edit 3: 'ref' must be a milestone reference, like FIN-03",
            "ref",
        ),
        (
            {"edit": "slip", "ref": "FIN-02", "days": 1, "dayz": 2},
            "Edit 3: 'dayz' is not a field of a slip edit (the fields are ref, days)",
            "dayz",
        ),
        (
            {"edit": "grow", "ref": "FIN-02"},
            "Edit 3: 'grow' is not a kind of edit (the kinds are set_forecast, slip, "
            "set_duration, set_dates, set_lag, add_link, remove_link, add_milestone, "
            "set_go_live_target)",
            "edit",
        ),
        (
            {"ref": "FIN-02", "days": 1},
            "Edit 3: 'edit' is missing: say which kind of edit, like \"slip\"",
            "edit",
        ),
        (
            ["slip"],
            'Edit 3: must be an object like {"edit": "slip", "ref": "FIN-03", "days": 5}',
            None,
        ),
        (
            {"edit": "set_forecast", "ref": "FIN-02", "forecast": "18/05/2022"},
            "Edit 3: 'forecast' must be a date written like 2022-07-01, or null",
            "forecast",
        ),
        (
            {"edit": "set_dates", "ref": "FIN-02", "planned_start": None, "due": "2022-02-30"},
            "Edit 3: 'due' must be a date written like 2022-07-01",
            "due",
        ),
        (
            {"edit": "add_link", "predecessor": "A-1", "successor": "B-1", "type": "fs"},
            "Edit 3: 'type' must be FS, SS, FF or SF",
            "type",
        ),
        (
            {"edit": "remove_link", "predecessor": "A-1", "successor": "B-1", "type": 2},
            "Edit 3: 'type' must be FS, SS, FF or SF, or null",
            "type",
        ),
        (
            {**REVIEW.to_json(), "kind": "task"},
            "Edit 3: 'kind' must be activity or point",
            "kind",
        ),
        (
            {**REVIEW.to_json(), "predecessors": "FIN-02"},
            'Edit 3: \'predecessors\' must be a list of links, like [{"ref": "FIN-03"}]',
            "predecessors",
        ),
        (
            {**REVIEW.to_json(), "successors": [{"ref": "GOV-01"}, {"lag": 2}]},
            "Edit 3: 'successors' item 2: 'ref' is missing",
            "successors",
        ),
        (
            {"edit": "set_go_live_target", "date": "2022-07-01"},
            "Edit 3: 'date' is not a field of a set_go_live_target edit (the fields are target)",
            "date",
        ),
    ],
)
def test_bad_json_is_refused_naming_the_field(
    data: object, message: str, field: str | None
) -> None:
    with pytest.raises(ValueError) as caught:
        edit_from_json(data, 3)
    assert str(caught.value) == message
    assert isinstance(caught.value, ScenarioError) and caught.value.field == field


def test_a_list_of_edits_names_the_bad_ones_position() -> None:
    items = [Slip("FIN-02", 3).to_json(), {"edit": "slip", "ref": "FIN-02", "days": "3"}]
    with pytest.raises(ScenarioError, match=r"^Edit 2: 'days' must be a whole number"):
        edits_from_json(items)
    with pytest.raises(ScenarioError, match="must be a list"):
        edits_from_json({"edit": "slip"})


def test_each_edit_in_words() -> None:
    assert [e.summary for e in EVERY_KIND[:6]] == [
        "FIN-02 forecast 18 May 2022",
        "FIN-02's forecast taken away",
        "FIN-02 slips 3 working days",
        "FIN-01 takes 10 working days",
        "FIN-01 planned 11 April to 6 May 2022",
        "FIN-02 due 16 May 2022",
    ]
    assert AddLink("ENG-01", "GOV-01", "SS", 5).summary == "link ENG-01 -> GOV-01 (SS+5)"


# --- what a scenario does --------------------------------------------------------------------


def test_a_scenario_that_moves_go_live() -> None:
    c = compare(PLAN, apply(PLAN, [REVIEW]))
    assert (c.go_live_before, c.go_live_after, c.slip_before, c.slip_after) == (
        TARGET,
        date(2022, 5, 26),
        0,
        4,
    )
    assert (c.float_before, c.float_after) == (5, -4)
    assert (c.status_before, c.status_after) == ("at risk", "off track")
    assert c.go_live_moves and c.uses_slack and c.status_worse
    assert c.added == ("GOV-02",) and c.removed == ()
    assert [(w.workstream, w.before, w.after) for w in c.workstreams] == [
        ("ENG", "green", "green"),
        ("FIN", "green", "red"),
        ("GOV", "green", "red"),
        ("PEO", "blue", "blue"),
    ]
    assert [(w.workstream, w.after) for w in c.rag_changes] == [("FIN", "red"), ("GOV", "red")]
    # FIN-01 and FIN-02 keep their dates but lose their float (to -4: red).
    assert [(m.ref, m.days, m.float_before, m.float_after, m.rag_after) for m in c.changed] == [
        ("FIN-01", 0, 14, 5, "green"),
        ("FIN-02", 0, 5, -4, "red"),
    ]
    assert c.sentences == (
        "In this scenario go-live moves from 20 May to 26 May 2022, 4 working days late; "
        "the programme goes from at risk to off track; 2 workstreams turn Red.",
        "It adds GOV-02, forecast 26 May 2022.",
    )


def test_a_scenario_that_moves_milestones_and_turns_a_workstream_amber() -> None:
    c = compare(PLAN, apply(PLAN, [SetDuration("FIN-01", 30)]))
    # 30 working days from 4 April: 18 May; FIN-02 follows it on 18 May.
    assert [(m.ref, m.forecast_before, m.forecast_after, m.days) for m in c.changed] == [
        ("FIN-01", date(2022, 4, 29), date(2022, 5, 18), 12),
        ("FIN-02", date(2022, 5, 13), date(2022, 5, 18), 3),
    ]
    assert [(w.workstream, w.before, w.after) for w in c.rag_changes] == [("FIN", "green", "amber")]
    assert c.sentences == (
        "In this scenario go-live stays on 20 May 2022 but uses 3 of its 5 working days of "
        "slack; 1 workstream turns Amber.",
        "It moves 2 milestones: FIN-01 and FIN-02.",
    )


def test_what_if_is_apply_then_compare() -> None:
    edits = [Slip("FIN-02", 3), SetGoLiveTarget(date(2022, 5, 27))]
    assert what_if(PLAN, edits) == compare(PLAN, apply(PLAN, edits))
    assert what_if(PLAN, edits, before=BEFORE).after == apply(PLAN, edits).forecast()


def test_a_scenario_that_moves_the_target() -> None:
    c = compare(PLAN, apply(PLAN, [SetGoLiveTarget(date(2022, 5, 27))]))
    assert c.target_moves and not c.go_live_moves and not c.uses_slack
    assert c.sentence == (
        "In this scenario the go-live target moves from 20 May to 27 May 2022; go-live stays "
        "on 20 May 2022 with 5 more working days of slack (10 in all); the programme goes "
        "from at risk to on track."
    )


def test_a_scenario_that_changes_nothing() -> None:
    c = compare(PLAN, apply(PLAN, [SetForecast("ENG-01", date(2022, 5, 6))]), before=BEFORE)
    assert c.changes_nothing
    assert (c.changed, c.rag_changes, c.added, c.moved) == ((), (), (), ())
    assert c.sentences == (
        "In this scenario nothing changes: go-live stays on 20 May 2022 with 5 working days "
        "of slack, and no milestone moves.",
    )


def test_a_scenario_that_leaves_a_milestone_after_go_live() -> None:
    c = compare(PLAN, apply(PLAN, [Slip("ENG-01", 15)]))
    assert c.after_go_live_added == ("ENG-01",)
    assert c.sentences == (
        "In this scenario go-live stays on 20 May 2022 with its 5 working days of slack; "
        "1 workstream turns Red.",
        "It moves 1 milestone: ENG-01.",
        "It puts ENG-01 after go-live, which does not wait for it: check its links.",
    )


def test_a_quick_slip_from_a_milestone_page() -> None:
    c = quick_slip(PLAN, "FIN-02", 8, before=BEFORE)
    assert (c.go_live_after, c.slip_after, c.float_after) == (date(2022, 5, 25), 3, -3)
    assert c.sentences == (
        "If FIN-02 slips 8 working days, go-live moves from 20 May to 25 May 2022, 3 working "
        "days late; the programme goes from at risk to off track; 2 workstreams turn Red.",
        "FIN-02 has 5 working days of float; this needs 8: all of it and 3 more.",
    )
    # Slipping FIN-01 ten working days (to 16 May) moves FIN-02 one (to Monday 16 May):
    # named as another milestone, FIN-01 itself said apart.
    c = quick_slip(PLAN, "FIN-01", 10)
    assert c.sentences == (
        "If FIN-01 slips 10 working days, go-live stays on 20 May 2022 but uses 1 of its 5 "
        "working days of slack; 1 workstream turns Amber.",
        "FIN-01 has 14 working days of float; this uses 10.",
        "It also moves 1 other milestone: FIN-02.",
    )
    assert [(m.ref, m.days) for m in c.moved] == [("FIN-01", 10), ("FIN-02", 1)]
    assert quick_slip(PLAN, "FIN-01", 5).sentences == (
        "If FIN-01 slips 5 working days, go-live stays on 20 May 2022 with its 5 working days "
        "of slack; 1 workstream turns Amber.",
        "FIN-01 has 14 working days of float; this uses 5.",
    )


def test_a_quick_slip_of_a_completed_milestone_is_refused() -> None:
    with pytest.raises(ScenarioError, match="PEO-01 was completed on 1 April 2022"):
        quick_slip(PLAN, "PEO-01", 3)


# --- what changed since a scenario was made --------------------------------------------------

SCENARIO: list[Edit] = [
    Slip("FIN-02", 3),
    SetLag("FIN-01", "FIN-02", 2),
    REVIEW,
    SetGoLiveTarget(date(2022, 5, 27)),
]


def test_nothing_the_scenario_touches_changed() -> None:
    assert rebase_check(SCENARIO, PLAN, PLAN) == []
    # A change elsewhere in the plan does not count.
    moved = PLAN.with_changes(point("ENG-01", date(2022, 5, 10)))
    assert rebase_check(SCENARIO, PLAN, moved) == []


def test_what_changed_that_the_scenario_touches() -> None:
    fin2 = point("FIN-02", date(2022, 5, 13))
    completed = PLAN.with_changes(
        replace(fin2, status="complete", completed_on=date(2022, 5, 12), due=date(2022, 5, 12))
    )
    assert rebase_check(SCENARIO, PLAN, completed) == [
        "Edits 1, 2 and 3: FIN-02 changed since the scenario was made: it was completed on "
        "12 May 2022 and its due date moved from 13 May to 12 May 2022."
    ]
    relinked = replace(
        PLAN,
        dependencies=(PlannedDependency("FIN-01", "FIN-02", "SS", 1), *PLAN.dependencies[1:]),
        go_live_target=date(2022, 6, 3),
    )
    assert rebase_check(SCENARIO, PLAN, relinked) == [
        "Edit 2: the link FIN-01 -> FIN-02 changed: it was FS, now SS+1.",
        "Edit 4: the plan's go-live target moved from 20 May to 3 June 2022 since.",
    ]
    forecast = PLAN.with_changes(replace(fin2, forecast=date(2022, 5, 17), forecast_by="Jo"))
    assert rebase_check(SCENARIO, PLAN, forecast) == [
        "Edits 1, 2 and 3: FIN-02 changed since the scenario was made: its lead now forecasts "
        "17 May 2022."
    ]
    unlinked = replace(PLAN, dependencies=PLAN.dependencies[1:])
    assert rebase_check(SCENARIO, PLAN, unlinked) == [
        "Edit 2: the link FIN-01 -> FIN-02 is no longer in the plan."
    ]


def test_what_the_plan_now_has_of_its_own() -> None:
    grown = replace(
        PLAN,
        milestones=(*PLAN.milestones, point("GOV-02", date(2022, 5, 18))),
        dependencies=(*PLAN.dependencies, PlannedDependency("ENG-01", "GOV-01")),
    )
    edits: list[Edit] = [REVIEW, AddLink("ENG-01", "GOV-01")]
    assert rebase_check(edits, PLAN, grown) == [
        "Edit 1: the plan now has a milestone GOV-02 of its own.",
        "Edit 2: the plan now has the link ENG-01 -> GOV-01 (FS) itself.",
    ]
    gone = replace(PLAN, milestones=PLAN.milestones[1:], dependencies=PLAN.dependencies[1:])
    assert rebase_check([Slip("FIN-01", 2)], PLAN, gone) == [
        "Edit 1: FIN-01 is no longer in the plan."
    ]


def test_an_edit_that_no_longer_applies_for_another_reason() -> None:
    # The plan now links GOV-01 -> ENG-01, so the scenario's ENG-01 -> FIN-01 makes a loop,
    # though neither milestone the edit names changed.
    looped = replace(PLAN, dependencies=(*PLAN.dependencies, PlannedDependency("GOV-01", "ENG-01")))
    assert rebase_check([AddLink("ENG-01", "FIN-01")], PLAN, looped) == [
        "Edit 1: the link ENG-01 -> FIN-01 would make a loop: "
        "ENG-01 -> FIN-01 -> FIN-02 -> GOV-01 -> ENG-01."
    ]


# --- the property: a scenario equals the same edits made by hand -----------------------------

GO = "GOV-99"
BASE = date(2022, 4, 4)


def _working_day_after(start: date, days: int) -> date:
    """The `days`-th working day counting `start` (or the first working day after it) as the
    first, counted day by day (independently of the calendar's offsets)."""
    d, counted = start, 0
    while True:
        if CAL.is_working_day(d):
            counted += 1
            if counted == days:
                return d
        d += timedelta(days=1)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(2, 7))
    milestones = []
    for k in range(n):
        ref = f"{draw(st.sampled_from(['FIN', 'PEO', 'GOV']))}-{k + 1:02d}"
        due = BASE + timedelta(days=draw(st.integers(-10, 60)))
        status = draw(st.sampled_from(["not_started", "in_progress", "blocked", "complete"]))
        kind = draw(st.sampled_from(["activity", "point"]))
        start = due - timedelta(days=draw(st.integers(0, 20))) if kind == "activity" else None
        forecast = None
        if status != "complete" and draw(st.booleans()):
            forecast = due + timedelta(days=draw(st.integers(0, 20)))
        milestones.append(
            PlannedMilestone(
                ref,
                f"Milestone {k}",
                ref[:3],
                "Owner",
                kind,
                start,
                due,
                status,
                completed_on=min(due, TODAY) if status == "complete" else None,
                forecast=forecast,
                forecast_by="Jo" if forecast else None,
            )
        )
    milestones.append(point(GO, BASE + timedelta(days=70)))
    links = []
    for j in range(1, n + 1):  # links go forward in plan order: no loops
        for i in draw(st.sets(st.integers(0, j - 1), max_size=2)):
            # A pair may be linked twice, with different types (SS and FF+2).
            for type in draw(st.sets(st.sampled_from(LINK_TYPES), min_size=1, max_size=2)):
                links.append(
                    PlannedDependency(
                        milestones[i].ref, milestones[j].ref, type, draw(st.integers(-3, 5))
                    )
                )
    return Plan(
        tuple(milestones),
        tuple(links),
        go_live_ref=GO,
        go_live_target=BASE + timedelta(days=70),
        today=TODAY,
        calendar=CAL,
    )


class ByHand:
    """A copy of the plan, edited directly: the expected answer."""

    def __init__(self, plan: Plan) -> None:
        self.milestones = {m.ref: m for m in plan.milestones}
        self.links = list(plan.dependencies)
        self.rank = {m.ref: float(k) for k, m in enumerate(plan.milestones)}
        self.target = plan.go_live_target

    def forecast(self) -> ProgrammeForecast:
        return forecast_programme(
            self.milestones.values(),
            self.links,
            go_live_ref=GO,
            go_live_target=self.target,
            today=TODAY,
            calendar=CAL,
        )

    def open_refs(self) -> list[str]:
        return [r for r, m in self.milestones.items() if m.status != "complete"]


def _pair(d: PlannedDependency) -> tuple[str, str]:
    return (d.predecessor, d.successor)


def draw_edit(draw: Callable[[Any], Any], hand: ByHand, number: int) -> Edit | None:
    """A valid edit of the plan as edited so far, made by hand too; None if there is none."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    opened = hand.open_refs()
    day = st.integers(-5, 80).map(lambda n: BASE + timedelta(days=n))
    if kind in ("forecast", "slip", "duration", "dates") and not opened:
        return None
    if kind == "forecast":
        ref = draw(st.sampled_from(opened))
        when = draw(st.none() | day)
        hand.milestones[ref] = replace(
            hand.milestones[ref],
            forecast=when,
            forecast_by=SCENARIO_FORECASTER if when else None,
            forecast_reason=None,
        )
        return SetForecast(ref, when)
    if kind == "slip":
        ref, days = draw(st.sampled_from(opened)), draw(st.integers(1, 15))
        now = hand.forecast().milestones[ref].forecast_due
        later = _working_day_after(now + timedelta(days=1), days)
        hand.milestones[ref] = replace(hand.milestones[ref], forecast=later)
        return Slip(ref, days)
    if kind == "duration":
        activities = [r for r in opened if hand.milestones[r].kind == "activity"]
        if not activities:
            return None
        ref, days = draw(st.sampled_from(activities)), draw(st.integers(1, 30))
        m = hand.milestones[ref]
        assert m.planned_start is not None
        hand.milestones[ref] = replace(m, due=_working_day_after(m.planned_start, days))
        return SetDuration(ref, days)
    if kind == "dates":
        ref = draw(st.sampled_from(opened))
        m = hand.milestones[ref]
        due = draw(day)
        start = None
        if m.kind == "activity":
            start = draw(st.none() | st.integers(0, 20).map(lambda n: due - timedelta(days=n)))
            if start is None and m.planned_start is not None and m.planned_start > due:
                start = due
        hand.milestones[ref] = replace(
            m, planned_start=start if m.kind == "point" else start or m.planned_start, due=due
        )
        return SetDates(ref, start, due)
    if kind == "lag":
        if not hand.links:
            return None
        k = draw(st.integers(0, len(hand.links) - 1))
        link, lag = hand.links[k], draw(st.integers(-5, 10))
        pair = [d for d in hand.links if (d.predecessor, d.successor) == _pair(link)]
        hand.links[k] = replace(link, lag=lag)
        return SetLag(link.predecessor, link.successor, lag, link.type if len(pair) > 1 else None)
    if kind == "add_link":
        a, b = sorted(
            draw(
                st.lists(
                    st.sampled_from(list(hand.milestones)), min_size=2, max_size=2, unique=True
                )
            ),
            key=hand.rank.__getitem__,
        )
        link = PlannedDependency(a, b, draw(st.sampled_from(LINK_TYPES)), draw(st.integers(-3, 5)))
        if any(_pair(d) + (d.type,) == _pair(link) + (link.type,) for d in hand.links):
            return None
        hand.links.append(link)
        return AddLink(link.predecessor, link.successor, link.type, link.lag)
    if kind == "remove_link":
        if not hand.links:
            return None
        link = draw(st.sampled_from(hand.links))
        by_type = draw(st.booleans())
        hand.links = [
            d
            for d in hand.links
            if (d.predecessor, d.successor) != (link.predecessor, link.successor)
            or (by_type and d.type != link.type)
        ]
        return RemoveLink(link.predecessor, link.successor, link.type if by_type else None)
    if kind == "add_milestone":
        ref = f"NEW-{number:02d}"
        rank = draw(st.floats(-1, len(hand.rank) + 1, allow_nan=False))
        # Links only from lower ranks and to higher ones: no loops.
        links = st.builds(NewLink, st.just(""), st.sampled_from(LINK_TYPES), st.integers(-3, 5))

        def neighbours(refs: list[str]) -> tuple[NewLink, ...]:
            chosen = draw(st.sets(st.sampled_from(refs), max_size=2)) if refs else set()
            return tuple(replace(draw(links), ref=r) for r in sorted(chosen))

        preds = neighbours([r for r, x in hand.rank.items() if x < rank])
        succs = neighbours([r for r, x in hand.rank.items() if x > rank])
        point_kind = draw(st.booleans())
        due = draw(day)
        start = None if point_kind else due - timedelta(days=draw(st.integers(0, 15)))
        edit = AddMilestone(
            ref, "New", "GOV", "point" if point_kind else "activity", start, due, preds, succs
        )
        hand.milestones[ref] = PlannedMilestone(
            ref, "New", "GOV", "", edit.kind, start, due, "not_started"
        )
        hand.rank[ref] = rank
        hand.links += [PlannedDependency(p.ref, ref, p.type, p.lag) for p in preds]
        hand.links += [PlannedDependency(ref, s.ref, s.type, s.lag) for s in succs]
        return edit
    target = draw(day)
    hand.target = target
    return SetGoLiveTarget(target)


KINDS = {
    "forecast",
    "slip",
    "duration",
    "dates",
    "lag",
    "add_link",
    "remove_link",
    "add_milestone",
    "target",
}


def _dates(plan_milestones: Any) -> list[tuple[Any, ...]]:
    return [(m.ref, m.kind, m.planned_start, m.due, m.status, m.forecast) for m in plan_milestones]


@settings(max_examples=150, deadline=None)
@given(plans(), st.data())
def test_a_scenario_forecasts_as_the_same_edits_made_by_hand(
    plan: Plan, data: st.DataObject
) -> None:
    hand = ByHand(plan)
    edits: list[Edit] = []
    for number in range(data.draw(st.integers(0, 8))):
        edit = draw_edit(data.draw, hand, number)
        if edit is not None:
            edits.append(edit)
    milestones, links, target = plan.milestones, plan.dependencies, plan.go_live_target

    scenario = apply(plan, edits)

    assert scenario.forecast() == hand.forecast()
    assert _dates(scenario.milestones) == _dates(hand.milestones.values())
    assert list(scenario.dependencies) == hand.links
    assert scenario.go_live_target == hand.target
    # The plan given is untouched.
    assert (plan.milestones, plan.dependencies, plan.go_live_target) == (
        milestones,
        links,
        target,
    )
    # And stored as JSON, the scenario is the same scenario.
    assert edits_from_json(json.loads(json.dumps(edits_to_json(edits)))) == tuple(edits)
