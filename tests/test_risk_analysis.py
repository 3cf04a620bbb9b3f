"""Schedule risk analysis (issue 20): tracker/scheduling/risk_analysis.py.

A certain plan gives the deterministic forecast exactly, in every iteration (checked by
hypothesis over random small plans, milestone by milestone against the engine); the same
seed gives the same answer; risk events and three-points move go-live as documented in
docs/risk-analysis.md. England, today Monday 16 May 2022; 2 and 3 June 2022 are bank
holidays. No timings here: those are bench/risk_analysis.py's.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scheduling import (
    Activity,
    CycleError,
    PlannedDependency,
    PlannedMilestone,
    WorkingCalendar,
    forecast_programme,
    schedule,
)
from tracker.scheduling import risk_sampling as sampling
from tracker.scheduling.explain import forecast_dates
from tracker.scheduling.programme import _plan_pass
from tracker.scheduling.risk_analysis import (
    LIKELIHOOD_PROBABILITY,
    RiskAnalysis,
    RiskDriver,
    RiskEvent,
    StatusDefaults,
    ThreePoint,
    UncertaintyDefaults,
    analyse_schedule_risk,
    probability_for_likelihood,
    uncertainty_for,
)

CAL = WorkingCalendar(date(2022, 4, 1))
TODAY = date(2022, 5, 16)
TARGET = date(2022, 7, 1)
M = PlannedMilestone
Dep = PlannedDependency


def tupe_plan() -> tuple[list[PlannedMilestone], list[PlannedDependency]]:
    """The TUPE chain drives go-live 3 working days past the target: the consultation's lead
    forecasts 10 June, and the 18-day staff transfer then runs 13 June to 6 July."""
    return [
        M("PEO-01", "Staff list agreed", "PEO", "Alex Moore", "activity", date(2022, 4, 4),
          date(2022, 4, 29), "complete", completed_on=date(2022, 4, 29)),
        M("PEO-02", "TUPE consultation", "PEO", "Becca Bradd", "activity", date(2022, 5, 3),
          date(2022, 5, 27), "in_progress", forecast=date(2022, 6, 10)),
        M("PEO-03", "Staff transfer", "PEO", "Alex Moore", "activity", date(2022, 5, 30),
          date(2022, 6, 24), "not_started"),
        M("GOV-01", "Board appointments", "GOV", "Sam Patel", "point", None, date(2022, 6, 17),
          "not_started"),
        M("GO", "ICB go-live", "GOV", "Sam Patel", "point", None, TARGET, "not_started"),
    ], [
        Dep("PEO-01", "PEO-02"),
        Dep("PEO-02", "PEO-03"),
        Dep("PEO-03", "GO"),
        Dep("PEO-01", "GOV-01"),
        Dep("GOV-01", "GO"),
    ]  # fmt: skip


def on_target_plan() -> tuple[list[PlannedMilestone], list[PlannedDependency]]:
    """A (6 June to 1 July, 18 working days) finishes on go-live day: no float at all. B, a
    point due 10 June, feeds nothing."""
    return [
        M("A", "Data migration", "DIG", "Jo King", "activity", date(2022, 6, 6), TARGET,
          "not_started"),
        M("B", "Comms plan", "GOV", "Sam Patel", "point", None, date(2022, 6, 10),
          "not_started"),
        M("GO", "ICB go-live", "GOV", "Sam Patel", "point", None, TARGET, "not_started"),
    ], [Dep("A", "GO")]  # fmt: skip


def run(
    milestones: list[PlannedMilestone], deps: list[PlannedDependency], **kw: object
) -> RiskAnalysis:
    kw.setdefault("iterations", 2000)
    return analyse_schedule_risk(
        milestones,
        deps,
        go_live_ref=kw.pop("go_live_ref", "GO"),  # type: ignore[arg-type]
        go_live_target=kw.pop("go_live_target", TARGET),  # type: ignore[arg-type]
        today=TODAY,
        calendar=CAL,
        **kw,  # type: ignore[arg-type]
    )


def mean_working_days(result: RiskAnalysis, since: date) -> float:
    """Go-live's mean finish, as working days from the start of ``since``."""
    base = CAL.start_offset(since)
    total = sum(c * (CAL.finish_offset(d) - base) for d, c in result.histogram)
    return total / result.iterations


# -- 1. A certain plan is the deterministic forecast, exactly -------------------------------


def test_a_certain_plan_gives_the_forecast_in_every_iteration() -> None:
    milestones, deps = tupe_plan()
    forecast = forecast_programme(
        milestones, deps, go_live_ref="GO", go_live_target=TARGET, today=TODAY, calendar=CAL
    )
    result = run(milestones, deps, iterations=3000)
    assert forecast.forecast_go_live == date(2022, 7, 6)
    assert result.forecast_go_live == date(2022, 7, 6)
    assert result.histogram == ((date(2022, 7, 6), 3000),)
    assert result.s_curve == ((date(2022, 7, 6), 1.0),)
    assert result.chance_of_target == 0.0
    assert result.p50 == result.p80 == result.p90 == date(2022, 7, 6)
    # The open milestones on the driving path drive go-live in every iteration; the
    # completed one is history; GOV-01 has 10 days' float.
    assert forecast.driving_path == ("PEO-01", "PEO-02", "PEO-03", "GO")
    assert result.criticality == {
        "PEO-01": 0.0,
        "PEO-02": 1.0,
        "PEO-03": 1.0,
        "GOV-01": 0.0,
        "GO": 1.0,
    }
    for ref in forecast.driving_path:
        if forecast.milestones[ref].status != "complete":
            assert result.criticality[ref] == 1.0
    for ref, m in forecast.milestones.items():
        if m.total_float > forecast.go_live_float:
            assert result.criticality[ref] == 0.0, ref
    assert result.drivers == ()


def test_a_plan_on_target_has_every_chance() -> None:
    milestones, deps = on_target_plan()
    result = run(milestones, deps, iterations=10)
    assert result.forecast_go_live == TARGET
    assert result.chance_of_target == 1.0
    assert result.histogram == ((TARGET, 10),)
    # A and go-live's own date both hold go-live (ties: both count).
    assert result.criticality == {"A": 1.0, "B": 0.0, "GO": 1.0}


def test_certain_three_points_equal_to_the_plan_change_nothing() -> None:
    milestones, deps = tupe_plan()
    certain = uncertainty_for(
        milestones, today=TODAY, calendar=CAL, defaults=UncertaintyDefaults.certain()
    )
    assert certain == {
        "PEO-02": ThreePoint(19, 19, 19),
        "PEO-03": ThreePoint(18, 18, 18),
        "GOV-01": ThreePoint(0, 0, 0),
        "GO": ThreePoint(0, 0, 0),
    }
    assert run(milestones, deps, uncertainty=certain) == run(milestones, deps)


TYPES = ("FS", "SS", "FF", "SF")


@st.composite
def small_plans(draw: st.DrawFn) -> tuple[list[PlannedMilestone], list[PlannedDependency]]:
    """Up to 8 milestones, the last one go-live: activities and points, some complete,
    overdue (due before today), with a lead's forecast; random links with lags and leads."""
    n = draw(st.integers(1, 8))
    milestones = []
    for k in range(n):
        kind = draw(st.sampled_from(["activity", "point"]))
        due = TODAY + timedelta(days=draw(st.integers(-25, 40)))
        start = due - timedelta(days=draw(st.integers(0, 20))) if kind == "activity" else None
        status = draw(st.sampled_from(["not_started", "in_progress", "blocked", "complete"]))
        done = forecast = None
        if status == "complete":
            done = draw(st.none() | st.just(min(TODAY, due + timedelta(draw(st.integers(-5, 5))))))
        elif draw(st.integers(0, 2)) == 0:
            forecast = due + timedelta(days=draw(st.integers(-3, 25)))
        ref = "GO" if k == n - 1 else f"M{k}"
        milestones.append(
            M(ref, ref, "GOV", "", kind, start, due, status, completed_on=done, forecast=forecast)
        )
    deps = []
    if n > 1:
        pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=14))
        for a, b in pairs:
            if a != b:
                p, s = min(a, b), max(a, b)  # forward only: acyclic
                kind, lag = draw(st.sampled_from(TYPES)), draw(st.integers(-4, 5))
                deps.append(Dep(milestones[p].ref, milestones[s].ref, kind, lag))
    return milestones, deps


@settings(max_examples=200, deadline=None)
@given(small_plans())
def test_random_certain_plans_give_the_forecast_exactly(
    plan: tuple[list[PlannedMilestone], list[PlannedDependency]],
) -> None:
    milestones, deps = plan
    forecast = forecast_programme(
        milestones, deps, go_live_ref="GO", go_live_target=TARGET, today=TODAY, calendar=CAL
    )
    result = run(milestones, deps, iterations=3)
    go = forecast.forecast_go_live
    assert result.forecast_go_live == go
    assert result.histogram == ((go, 3),)
    assert result.p50 == result.p80 == result.p90 == go
    assert result.chance_of_target == (1.0 if go <= TARGET else 0.0)

    # Criticality: exactly the open milestones on a binding chain into go-live.
    plans, shift, acts, links, full = _plan_pass(milestones, deps, "GO", TODAY, CAL)
    binding = {r for r in full.driving_paths("GO") if not full.activities[r].done}
    assert result.criticality == {r: float(r in binding) for r in plans}

    # Every milestone's dates, not only go-live's, are the engine's.
    net = sampling.compile_network(
        acts,
        [p.m.kind == "point" for p in plans.values()],
        links,
        "GO",
        CAL.finish_offset(TODAY) - shift,
        [],
        [],
    )
    values = sampling.block_values(net, sampling.draw(net, np.random.default_rng(0), 2))
    mat = sampling.forward(net, values, 2)
    for k, act in enumerate(acts):
        engine = full.activities[act.id]
        assert mat[k].tolist() == [engine.es] * 2, act.id
        assert mat[net.n + k].tolist() == [engine.ef] * 2, act.id


@settings(max_examples=150, deadline=None)
@given(small_plans(), st.data())
def test_longer_certain_durations_match_the_engine_run_on_them(
    plan: tuple[list[PlannedMilestone], list[PlannedDependency]], data: st.DataObject
) -> None:
    milestones, deps = plan
    plans, shift, acts, links, _full = _plan_pass(milestones, deps, "GO", TODAY, CAL)
    longer: dict[str, ThreePoint] = {}
    changed: list[Activity] = []
    for act, p in zip(acts, plans.values(), strict=True):
        extra = data.draw(st.integers(0, 6))
        if p.m.kind == "activity" and p.actual is None and extra:
            longer[act.id] = ThreePoint(*[act.duration + extra] * 3)
            act = replace(act, duration=act.duration + extra)
        changed.append(act)
    got = schedule(changed, links).activities["GO"]
    want = forecast_dates(plans["GO"], got.es, got.ef, shift, CAL)[1]
    assert run(milestones, deps, uncertainty=longer, iterations=2).histogram == ((want, 2),)


# -- 2. The seed -----------------------------------------------------------------------------


def defaults_of(milestones: list[PlannedMilestone]) -> dict[str, ThreePoint]:
    return uncertainty_for(milestones, today=TODAY, calendar=CAL, go_live_ref="GO")


def test_the_same_seed_gives_the_same_result_and_another_seed_another() -> None:
    milestones, deps = tupe_plan()
    u = defaults_of(milestones)
    risks = [RiskEvent("R-01", "Union ballot", 0.3, 5, ("PEO-03",))]
    first = run(milestones, deps, uncertainty=u, risk_events=risks, seed=7)
    assert first == run(milestones, deps, uncertainty=u, risk_events=risks, seed=7)
    other = run(milestones, deps, uncertainty=u, risk_events=risks, seed=8)
    assert other.histogram != first.histogram
    assert other.seed == 8 and first.seed == 7
    assert len(first.histogram) > 5  # it really was uncertain


def test_the_order_of_three_points_and_risks_does_not_change_the_result() -> None:
    milestones, deps = tupe_plan()
    u = defaults_of(milestones)
    risks = [
        RiskEvent("R-01", "Union ballot", 0.3, 5, ("PEO-03",)),
        RiskEvent("R-02", "Payroll cut-over", 0.5, 2, ("PEO-02", "GOV-01")),
    ]
    backwards = dict(reversed(list(u.items())))
    assert run(milestones, deps, uncertainty=u, risk_events=risks) == run(
        milestones, deps, uncertainty=backwards, risk_events=risks[::-1]
    )


def test_progress_is_reported_after_each_block_of_a_thousand() -> None:
    milestones, deps = on_target_plan()
    seen: list[tuple[int, int]] = []
    run(milestones, deps, iterations=2500, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]


# -- 3. Risk events ---------------------------------------------------------------------------


def test_a_certain_risk_on_the_driving_milestone_moves_go_live_by_its_impact() -> None:
    milestones, deps = tupe_plan()
    risk = RiskEvent("R-07", "Union ballot", 1.0, 5, ("PEO-03",))
    result = run(milestones, deps, risk_events=[risk])
    # 6 July + 5 working days.
    assert result.histogram == ((date(2022, 7, 13), 2000),)
    assert result.p50 == result.p90 == date(2022, 7, 13)
    # It happened every time, so there is nothing to compare it with.
    assert result.drivers == (RiskDriver("risk", "R-07", "Union ballot", None, 1.0),)


def test_a_risk_on_a_milestone_with_float_is_absorbed() -> None:
    milestones, deps = tupe_plan()
    risk = RiskEvent("R-08", "Late nominations", 1.0, 5, ("GOV-01",))  # 10 days' float
    assert run(milestones, deps, risk_events=[risk]).histogram == ((date(2022, 7, 6), 2000),)


def test_a_risk_on_a_completed_milestone_delays_nothing() -> None:
    milestones, deps = tupe_plan()
    risk = RiskEvent("R-09", "Recount", 0.5, 20, ("PEO-01",))
    result = run(milestones, deps, risk_events=[risk])
    assert result.histogram == ((date(2022, 7, 6), 2000),)
    assert result.drivers[0].swing_days == 0.0
    assert 0.45 < (result.drivers[0].occurred or 0) < 0.55


def test_a_risk_with_probability_p_leaves_a_chance_of_one_minus_p() -> None:
    milestones, deps = on_target_plan()
    risk = RiskEvent("R-01", "Supplier late", 0.3, 5, ("A",))
    result = run(milestones, deps, risk_events=[risk], iterations=5000)
    assert abs(result.chance_of_target - 0.7) < 0.03
    late = date(2022, 7, 8)  # 1 July + 5 working days
    assert [d for d, _ in result.histogram] == [TARGET, late]
    assert result.p50 == TARGET and result.p80 == result.p90 == late
    (driver,) = result.drivers
    # Nothing else is uncertain, so it moves go-live by its impact exactly when it happens.
    assert driver.swing_days == 5.0
    assert driver.occurred == pytest.approx(1 - result.chance_of_target)
    assert result.criticality["A"] == 1.0


def test_a_delayed_activity_finishes_later_but_starts_as_before() -> None:
    # B starts with A (SS); go-live waits for B only, so A's delay does not reach it...
    a = M("A", "Build", "DIG", "", "activity", date(2022, 6, 6), date(2022, 6, 17), "not_started")
    b = M("B", "Test", "DIG", "", "activity", date(2022, 6, 6), date(2022, 6, 10), "not_started")
    go = M("GO", "Go-live", "GOV", "", "point", None, date(2022, 6, 1), "not_started")
    risk = RiskEvent("R-01", "Rework", 1.0, 3, ("A",))
    ss = run([a, b, go], [Dep("A", "B", "SS"), Dep("B", "GO")], risk_events=[risk])
    assert ss.histogram == ((date(2022, 6, 10), 2000),)
    # ... and when it waits for A's finish, it moves by the 3 days.
    fs = run([a, b, go], [Dep("A", "B", "SS"), Dep("A", "GO")], risk_events=[risk])
    assert fs.histogram == ((date(2022, 6, 22), 2000),)


# -- 3b. Point milestones' slips ----------------------------------------------------------------


def point_alone(slip: ThreePoint, **kw: object) -> list[tuple[date, int]]:
    go = M("GO", "Go-live", "GOV", "", "point", None, date(2022, 5, 27), "not_started", **kw)  # type: ignore[arg-type]
    return list(run([go], [], uncertainty={"GO": slip}, iterations=5).histogram)


def test_a_negative_slip_brings_a_point_earlier_but_not_before_today() -> None:
    assert point_alone(ThreePoint(0, 0, 0)) == [(date(2022, 5, 27), 5)]
    assert point_alone(ThreePoint(-5, -5, -5)) == [(date(2022, 5, 20), 5)]
    assert point_alone(ThreePoint(-20, -20, -20)) == [(TODAY, 5)]


def test_a_negative_slip_does_not_beat_a_lead_forecast_and_a_positive_one_follows_it() -> None:
    assert point_alone(ThreePoint(-5, -5, -5), forecast=date(2022, 6, 1)) == [(date(2022, 6, 1), 5)]
    # 1 June + 3 working days, 2 and 3 June being bank holidays.
    assert point_alone(ThreePoint(3, 3, 3), forecast=date(2022, 6, 1)) == [(date(2022, 6, 8), 5)]


def test_a_negative_slip_does_not_beat_a_predecessor() -> None:
    a = M("A", "Build", "DIG", "", "activity", date(2022, 5, 16), date(2022, 5, 25), "in_progress")
    go = M("GO", "Go-live", "GOV", "", "point", None, date(2022, 5, 27), "not_started")
    result = run([a, go], [Dep("A", "GO")], uncertainty={"GO": ThreePoint(-5, -5, -5)})
    assert result.histogram == ((date(2022, 5, 25), 2000),)


def test_an_open_activity_never_finishes_before_today_ends() -> None:
    # Planned 9 to 20 May; even if it needs only 2 days, it is still open today.
    a = M("GO", "Build", "DIG", "", "activity", date(2022, 5, 9), date(2022, 5, 20), "in_progress")
    result = run([a], [], uncertainty={"GO": ThreePoint(2, 2, 2)}, iterations=5)
    assert result.histogram == ((TODAY, 5),)


# -- 4. Three-points add up along a chain --------------------------------------------------------


def chain() -> tuple[list[PlannedMilestone], list[PlannedDependency]]:
    """A then B, 10 working days each, from 6 June: B could start with A but waits for it (FS),
    so go-live is 6 June plus both durations (1 July as planned); neither B's nor go-live's
    own dates hold anything back."""
    return [
        M("A", "Build", "DIG", "", "activity", date(2022, 6, 6), date(2022, 6, 17), "not_started"),
        M("B", "Test", "DIG", "", "activity", date(2022, 6, 6), date(2022, 6, 17), "not_started"),
        M("GO", "Go-live", "GOV", "", "point", None, date(2022, 6, 1), "not_started"),
    ], [Dep("A", "B"), Dep("B", "GO")]


def test_three_points_on_a_chain_add_up() -> None:
    milestones, deps = chain()
    spread = ThreePoint(8, 10, 20)  # PERT mean (8 + 4 x 10 + 20) / 6 = 11.33 days
    u = {"A": spread, "B": spread}
    result = run(milestones, deps, uncertainty=u, iterations=5000, seed=3)
    assert run(milestones, deps, iterations=1).histogram == ((TARGET, 1),)
    assert mean_working_days(result, date(2022, 6, 6)) == pytest.approx(2 * 68 / 6, abs=0.15)
    first, last = result.histogram[0][0], result.histogram[-1][0]
    assert CAL.working_days_between(date(2022, 6, 5), first) >= 16
    assert CAL.working_days_between(date(2022, 6, 5), last) <= 40
    assert first <= result.p50 <= result.p80 <= result.p90 <= last
    assert result.p50 == result.date_by_share(0.5)
    assert result.chance_by(result.p80) >= 0.8 > result.chance_by(result.p80 - timedelta(1))
    assert result.s_curve[-1] == (last, 1.0)
    assert [s for _, s in result.s_curve] == sorted(s for _, s in result.s_curve)
    assert sum(c for _, c in result.histogram) == 5000
    assert result.criticality == {"A": 1.0, "B": 1.0, "GO": 1.0}
    # Both move go-live about as much; each by more than its own spread's middle half.
    assert {d.ref for d in result.drivers} == {"A", "B"}
    for d in result.drivers:
        assert d.kind == "milestone" and d.swing_days is not None and 6 < d.swing_days < 11


def test_parallel_paths_share_the_criticality_and_ties_count_for_both() -> None:
    a = M("A", "Build", "DIG", "", "activity", date(2022, 6, 6), date(2022, 6, 17), "not_started")
    b = M("B", "Train", "PEO", "", "activity", date(2022, 6, 6), date(2022, 6, 17), "not_started")
    go = M("GO", "Go-live", "GOV", "", "point", None, date(2022, 6, 1), "not_started")
    spread = ThreePoint(8, 10, 20)
    result = run(
        [a, b, go], [Dep("A", "GO"), Dep("B", "GO")], uncertainty={"A": spread, "B": spread}
    )
    crit = result.criticality
    assert 0.45 < crit["A"] < 0.7 and 0.45 < crit["B"] < 0.7
    assert crit["A"] + crit["B"] > 1.0  # the iterations where they tie count for both
    assert crit["GO"] == 1.0


def test_a_milestone_that_cannot_reach_go_live_moves_it_by_exactly_nothing() -> None:
    milestones, deps = on_target_plan()
    u = {"A": ThreePoint(16, 18, 30), "B": ThreePoint(0, 2, 10)}
    risk = RiskEvent("R-01", "Supplier late", 0.5, 3, ("B",))
    result = run(milestones, deps, uncertainty=u, risk_events=[risk])
    by_ref = {d.ref: d for d in result.drivers}
    assert by_ref["B"].swing_days == 0.0 and by_ref["R-01"].swing_days == 0.0
    # A's quick outcomes are absorbed by go-live's own date; its slow ones are not.
    assert by_ref["A"].swing_days is not None and 2 < by_ref["A"].swing_days < 12
    assert result.drivers[0].ref == "A"
    assert result.top_drivers(1) == (by_ref["A"],)
    assert result.criticality["B"] == 0.0


def test_a_milestone_never_driving_go_live_moves_it_by_exactly_nothing() -> None:
    # GOV-01 has 10 days' float and slips 10 at most; PEO-02 is held by its lead's forecast.
    milestones, deps = tupe_plan()
    result = run(milestones, deps, uncertainty=defaults_of(milestones), iterations=5000)
    by_ref = {d.ref: d for d in result.drivers}
    assert result.criticality["GOV-01"] == 0.0
    assert by_ref["GOV-01"].swing_days == 0.0
    assert result.drivers[0].ref == "PEO-03"
    assert by_ref["PEO-03"].swing_days is not None and by_ref["PEO-03"].swing_days > 4


def test_the_result_reads_as_json() -> None:
    milestones, deps = tupe_plan()
    risk = RiskEvent("R-01", "Union ballot", 0.3, 5, ("PEO-03",))
    result = run(milestones, deps, uncertainty=defaults_of(milestones), risk_events=[risk])
    data = json.loads(json.dumps(result.as_json()))
    assert data["p80"] == result.p80.isoformat()
    assert data["histogram"][0] == [result.histogram[0][0].isoformat(), result.histogram[0][1]]
    assert data["criticality"]["PEO-03"] == result.criticality["PEO-03"]
    assert {d["ref"] for d in data["drivers"]} == {"PEO-02", "PEO-03", "GOV-01", "R-01"}


# -- Defaults and likelihood -----------------------------------------------------------------------


def test_defaults_by_status_and_the_work_still_to_run() -> None:
    milestones = [
        # In progress, 9 to 27 May (15 working days), 10 of them from today: -5 % rounds
        # down to -1, +25 % of 10 up to +3.
        M("A", "Build", "DIG", "", "activity", date(2022, 5, 9), date(2022, 5, 27), "in_progress"),
        # Not started, 6 to 17 June (10 days): -10 % is -1, +50 % is +5.
        M("B", "Test", "DIG", "", "activity", date(2022, 6, 6), date(2022, 6, 17), "not_started"),
        M("C", "Sign-off", "GOV", "", "point", None, date(2022, 6, 20), "blocked"),
        M("D", "Kick-off", "GOV", "", "point", None, date(2022, 4, 20), "complete"),
        M("E", "Comms", "GOV", "", "point", None, date(2022, 6, 20), "not_started"),
        M("GO", "Go-live", "GOV", "", "point", None, TARGET, "not_started"),
    ]
    assert uncertainty_for(milestones, today=TODAY, calendar=CAL, go_live_ref="GO") == {
        "A": ThreePoint(14, 15, 18),
        "B": ThreePoint(9, 10, 15),
        "C": ThreePoint(0, 0, 20),
        "E": ThreePoint(0, 0, 10),
    }
    # Without go_live_ref go-live gets its status's default; an override wins over both.
    found = uncertainty_for(
        milestones,
        today=TODAY,
        calendar=CAL,
        overrides={"E": ThreePoint(-2, 1, 4), "D": ThreePoint(0, 0, 3)},
    )
    assert found["GO"] == ThreePoint(0, 0, 10)
    assert found["E"] == ThreePoint(-2, 1, 4)
    assert "D" not in found  # complete: never sampled


def test_custom_defaults_are_checked() -> None:
    tp = ThreePoint
    with pytest.raises(ValueError, match="cannot shrink by more than 100 %, got -150"):
        UncertaintyDefaults(in_progress=StatusDefaults(tp(0, 0, 5), tp(-150, 0, 20)))
    with pytest.raises(ValueError, match="defaults for blocked points: optimistic 3, likely 0"):
        UncertaintyDefaults(blocked=StatusDefaults(tp(3, 0, 5), tp(0, 0, 20)))


def test_likelihood_scores_give_the_midpoints_of_the_nhs_bands() -> None:
    assert [probability_for_likelihood(k) for k in range(1, 6)] == [
        0.03,
        0.13,
        0.35,
        0.65,
        0.90,
    ]
    assert probability_for_likelihood(3, {3: 0.4}) == 0.4
    assert LIKELIHOOD_PROBABILITY[4] == 0.65
    for bad in (0, 6, True, 2.0):
        with pytest.raises(ValueError, match="likelihood must be a whole number from 1 to 5"):
            probability_for_likelihood(bad)  # type: ignore[arg-type]


# -- 5. Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uncertainty", "message"),
    [
        ({"PEO-03": ThreePoint(20, 18, 25)}, "uncertainty for 'PEO-03': optimistic 20, likely 18"),
        ({"PEO-03": ThreePoint(-1, 18, 25)}, "'PEO-03': an activity's duration cannot be below 0"),
        ({"PEO-03": ThreePoint(1, 2.5, 3)}, "'PEO-03': likely must be a whole number"),  # type: ignore[arg-type]
        ({"GOV-01": ThreePoint(0, 0, 9999)}, "'GOV-01': pessimistic must be a whole number"),
        ({"GOV-01": (0, 0, 5)}, "'GOV-01': expected ThreePoint"),
        ({"HR-99": ThreePoint(0, 0, 5)}, "uncertainty for 'HR-99': no such milestone"),
    ],
)
def test_bad_three_points_are_refused_by_name(uncertainty: object, message: str) -> None:
    milestones, deps = tupe_plan()
    with pytest.raises(ValueError, match=message):
        run(milestones, deps, uncertainty=uncertainty)
    if "HR-99" not in message:
        with pytest.raises(ValueError, match=message):
            uncertainty_for(milestones, today=TODAY, calendar=CAL, overrides=uncertainty)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("risk", "message"),
    [
        (RiskEvent("R-01", "x", 0.5, 5, ("HR-99",)), "risk R-01: unknown milestone 'HR-99'"),
        (RiskEvent("R-02", "x", 0.0, 5, ("GO",)), "risk R-02: probability must be more than 0"),
        (RiskEvent("R-03", "x", 1.5, 5, ("GO",)), "risk R-03: probability .* got 1.5"),
        (RiskEvent("R-04", "x", True, 5, ("GO",)), "risk R-04: probability"),
        (RiskEvent("R-05", "x", float("nan"), 5, ("GO",)), "risk R-05: probability"),
        (RiskEvent("R-06", "x", 0.5, 0, ("GO",)), "risk R-06: impact must be a whole number"),
        (RiskEvent("R-07", "x", 0.5, 2.5, ("GO",)), "risk R-07: impact"),  # type: ignore[arg-type]
        (RiskEvent("R-08", "x", 0.5, 5, "GO"), "risk R-08: refs must be a tuple"),  # type: ignore[arg-type]
        (RiskEvent("", "x", 0.5, 5, ("GO",)), "a risk event needs a key"),
    ],
)
def test_bad_risks_are_refused_by_name(risk: RiskEvent, message: str) -> None:
    milestones, deps = tupe_plan()
    with pytest.raises(ValueError, match=message):
        run(milestones, deps, risk_events=[risk])


def test_a_risk_given_twice_is_refused() -> None:
    milestones, deps = tupe_plan()
    risk = RiskEvent("R-01", "x", 0.5, 5, ("GO",))
    with pytest.raises(ValueError, match="risk R-01: given twice"):
        run(milestones, deps, risk_events=[risk, risk])


@pytest.mark.parametrize("iterations", [0, -5, 1.5, True, 1_000_001])
def test_bad_iteration_counts_are_refused(iterations: object) -> None:
    milestones, deps = tupe_plan()
    with pytest.raises(ValueError, match="iterations must be a whole number from 1 to 1,000,000"):
        run(milestones, deps, iterations=iterations)


def test_a_bad_seed_and_a_bad_plan_are_refused() -> None:
    milestones, deps = tupe_plan()
    with pytest.raises(ValueError, match="seed must be a whole number >= 0, got -1"):
        run(milestones, deps, seed=-1)
    with pytest.raises(CycleError, match="dependency cycle: PEO-02 -> PEO-03 -> PEO-02"):
        run(milestones, [*deps, Dep("PEO-03", "PEO-02")])


def test_one_iteration_is_enough() -> None:
    milestones, deps = chain()
    result = run(milestones, deps, uncertainty={"A": ThreePoint(8, 10, 20)}, iterations=1)
    assert len(result.histogram) == 1 and result.histogram[0][1] == 1
    assert result.p50 == result.p90 == result.histogram[0][0]
