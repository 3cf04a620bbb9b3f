"""What makes big plans quick keeps every answer the same (issue 19).

A forecast's "why" chains and sentences are made when read, each chain from its driving
predecessor's (scheduling/explain.py Explainer); they must equal the whole walk of each
milestone's predecessors (why_chain, explanation) on generated plans, long chains included.
The garbage collector is paused while a schedule is built, and runs again afterwards however
the build ends. The process keeps one schedule per programme. No timings here: those are
bench/big_plan.py's.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tracker.scheduling import (
    Link,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleError,
    WorkingCalendar,
    forecast_go_live,
    forecast_programme,
    schedule,
)
from tracker.scheduling.collector import collector_paused
from tracker.scheduling.explain import cause_of, explanation, forecast_dates, why_chain
from tracker.scheduling.programme import _activity, _earliest_offset, _translate

CAL = WorkingCalendar(date(2022, 1, 3))
TODAY = date(2022, 5, 16)
GO_LIVE = date(2023, 6, 30)


def generated_plan(
    size: int, seed: int, *, reach: int = 8
) -> tuple[list[PlannedMilestone], list[PlannedDependency]]:
    """A random acyclic plan: each milestone follows one to three of the `reach` before it
    (a small reach makes long chains), with every kind of link and lag, completed, overdue,
    blocked and late-forecast milestones; the last one is go-live and follows the others
    that nothing follows."""
    rnd = random.Random(seed)
    milestones: list[PlannedMilestone] = []
    deps: list[PlannedDependency] = []
    for k in range(size):
        ref = f"M-{k:04d}"
        start = date(2022, 1, 10) + timedelta(days=k * 300 // size + rnd.randint(0, 20))
        kind = "activity" if rnd.random() < 0.7 else "point"
        due = start + timedelta(days=rnd.randint(0, 30)) if kind == "activity" else start
        roll = rnd.random()
        fields: dict[str, object] = {}
        if due < TODAY and roll < 0.5:
            status = "complete"
            fields["completed_on"] = min(due + timedelta(days=rnd.randint(-3, 9)), TODAY)
        elif roll < 0.6:
            status = "blocked"
        elif roll < 0.75 and due >= TODAY:
            status = "in_progress"
            fields |= {
                "forecast": due + timedelta(days=rnd.randint(1, 40)),
                "forecast_reason": rnd.choice(["", "supplier late"]) or None,
                "forecast_by": rnd.choice([None, "Sam Lee"]),
            }
        else:
            status = "not_started"
        milestones.append(
            PlannedMilestone(
                ref,
                f"Milestone {k}",
                rnd.choice(["GOV", "PEO", "FIN"]),
                rnd.choice(["Sam Patel", "", "Jo King"]),
                kind,
                start if kind == "activity" else None,
                due,
                status,
                is_key=rnd.random() < 0.1,
                **fields,  # type: ignore[arg-type]
            )
        )
        before = range(max(0, k - reach), k)
        for p in rnd.sample(before, min(len(before), rnd.randint(1, 3))):
            link_type = rnd.choice(["FS", "FS", "FS", "SS", "FF", "SF"])
            deps.append(PlannedDependency(f"M-{p:04d}", ref, link_type, rnd.randint(-3, 5)))
    milestones.append(
        PlannedMilestone(
            "GO-LIVE", "Go-live", "GOV", "Sam Patel", "point", None, GO_LIVE, "not_started"
        )
    )
    followed = {d.predecessor for d in deps}
    deps += [PlannedDependency(m.ref, "GO-LIVE") for m in milestones[:-1] if m.ref not in followed]
    return milestones, deps


def run(milestones: list[PlannedMilestone], deps: list[PlannedDependency]) -> ProgrammeForecast:
    return forecast_programme(
        milestones, deps, go_live_ref="GO-LIVE", go_live_target=GO_LIVE, today=TODAY, calendar=CAL
    )


def whole_walk(
    milestones: list[PlannedMilestone], deps: list[PlannedDependency]
) -> Iterator[tuple[str, tuple[object, ...], str]]:
    """Each milestone's chain and sentence the way they were made before they were shared:
    the whole walk back through its predecessors, for every milestone."""
    plans = _translate(milestones, TODAY, CAL)
    shift = min([0, *(_earliest_offset(p) for p in plans.values())])
    links = [Link(d.predecessor, d.successor, d.type, d.lag) for d in deps]
    full = schedule([_activity(p, shift) for p in plans.values()], links)
    for ref, plan in plans.items():
        act = full.activities[ref]
        _start, due = forecast_dates(plan, act.es, act.ef, shift, CAL)
        slip = CAL.working_days_between(plan.m.due, due)
        why = why_chain(plan, plans, full, shift, CAL)
        text = explanation(plan, cause_of(plan, full, shift), why, full, due, slip, CAL)
        yield ref, why, text


@pytest.mark.parametrize(("size", "seed", "reach"), [(60, 1, 4), (400, 2, 8), (800, 3, 2)])
def test_shared_chains_and_sentences_equal_the_whole_walk(size: int, seed: int, reach: int) -> None:
    milestones, deps = generated_plan(size, seed, reach=reach)
    forecast = run(milestones, deps)
    expected = list(whole_walk(milestones, deps))
    assert max(len(why) for _ref, why, _text in expected) >= 5  # long chains were made
    causes = {text.split(" ")[0] for _ref, _why, text in expected}
    assert {"Completed", "Forecast", "Overdue:"} <= causes
    # Read in an order of their own (a chain's successors before it), then all again.
    for ref, why, text in sorted(expected, key=lambda e: e[0], reverse=True):
        assert forecast.milestones[ref].why == why, ref
        assert forecast.milestones[ref].explanation == text, ref
    assert [(r, f.why, f.explanation) for r, f in forecast.milestones.items()] == expected


def test_a_milestone_read_alone_gets_the_same_words() -> None:
    milestones, deps = generated_plan(300, 4, reach=3)
    expected = {ref: (why, text) for ref, why, text in whole_walk(milestones, deps)}
    deepest = max(expected, key=lambda r: len(expected[r][0]))
    f = run(milestones, deps).milestones[deepest]  # a fresh forecast: nothing read before
    assert (f.why, f.explanation) == expected[deepest]
    assert len(f.why) > 3


def test_forecasts_compare_by_their_figures() -> None:
    milestones, deps = generated_plan(80, 5)
    first, second = run(milestones, deps), run(milestones, deps)
    assert first.milestones == second.milestones
    assert "explainer" not in repr(first.milestones["M-0001"])


@pytest.mark.parametrize("seed", [8, 9, 10])
def test_go_live_alone_is_the_whole_forecasts_go_live(seed: int) -> None:
    milestones, deps = generated_plan(300, seed, reach=4)
    # As plan health tries it: one open milestone delayed by a lead's forecast.
    late = next(m for m in milestones if m.status == "not_started" and m.due > TODAY)
    for plan in (milestones, [replace(m, forecast=m.due + timedelta(days=90)) if m is late else m
                              for m in milestones]):  # fmt: skip
        whole = run(plan, deps).forecast_go_live
        assert (
            forecast_go_live(plan, deps, go_live_ref="GO-LIVE", today=TODAY, calendar=CAL) == whole
        )
    with pytest.raises(ScheduleError, match="not in the plan"):
        forecast_go_live(milestones, deps, go_live_ref="NOPE", today=TODAY, calendar=CAL)


def test_the_collector_runs_again_after_a_build() -> None:
    assert gc.isenabled()
    milestones, deps = generated_plan(50, 6)
    run(milestones, deps)
    assert gc.isenabled()


def test_the_collector_runs_again_when_the_build_fails() -> None:
    milestones, deps = generated_plan(50, 7)
    looped = [*deps, PlannedDependency("GO-LIVE", "M-0000")]
    with pytest.raises(ScheduleError, match="cycle"):
        run(milestones, looped)
    assert gc.isenabled()
    with pytest.raises(ScheduleError, match="not in the plan"):
        forecast_programme(
            milestones, deps, go_live_ref="NOPE", go_live_target=GO_LIVE, today=TODAY, calendar=CAL
        )
    assert gc.isenabled()


def test_a_paused_collector_is_left_paused_and_nesting_restores_it() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outermost block turns it back on
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("the build failed")
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_the_process_keeps_one_schedule_per_programme() -> None:
    from tracker.services.board import _ScheduleCache

    cache = _ScheduleCache(size=4)
    day = date(2022, 4, 4)
    first, second, other = object(), object(), object()
    cache.put((1, "v1", day), first)  # type: ignore[arg-type]
    cache.put((2, "v1", day), other)  # type: ignore[arg-type]
    assert cache.get((1, "v1", day)) == (True, first)
    cache.put((1, "v2", day), second)  # type: ignore[arg-type]  # the plan changed
    assert cache.get((1, "v2", day)) == (True, second)
    assert cache.get((1, "v1", day)) == (False, None)  # superseded: gone, not kept
    assert cache.get((1, "v2", date(2022, 4, 5))) == (False, None)  # a new day
    assert cache.get((2, "v1", day)) == (True, other)
    cache.put((3, "v1", day), None)  # a programme with no milestones: None is an answer
    assert cache.get((3, "v1", day)) == (True, None)
