"""Scenarios at 2,000 milestones and 5,000 links: apply + forecast + compare (issue 20).

    .venv/bin/python bench/scenarios.py

The plan is tests/test_schedule_speed.py's generated one (its dates run on to 2026, so it is
for timing, not for reading).
Prints best and median wall clock and CPU (process_time) of N runs each.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_schedule_speed import CAL, GO_LIVE, TODAY, generated_plan  # noqa: E402
from tracker.domain.forecast_effect import Plan  # noqa: E402
from tracker.domain.scenarios import (  # noqa: E402
    AddLink,
    AddMilestone,
    NewLink,
    RemoveLink,
    SetDates,
    SetDuration,
    SetForecast,
    SetGoLiveTarget,
    SetLag,
    Slip,
    apply,
    compare,
    quick_slip,
    what_if,
)
from tracker.scheduling import PlannedDependency

RUNS = 9


def big_plan() -> Plan:
    milestones, deps = generated_plan(2000, 7, reach=40)
    rnd = random.Random(7)
    pairs = {(d.predecessor, d.successor) for d in deps}
    refs = [m.ref for m in milestones[:-1]]
    while len(deps) < 5000:  # extra forward links (acyclic: earlier ref -> later ref)
        a, b = sorted(rnd.sample(range(len(refs)), 2))
        if (refs[a], refs[b]) not in pairs and b - a < 200:
            pairs.add((refs[a], refs[b]))
            deps.append(PlannedDependency(refs[a], refs[b], rnd.choice(["FS", "SS", "FF"]), 0))
    return Plan(tuple(milestones), tuple(deps), "GO-LIVE", GO_LIVE, TODAY, CAL)


def timed(label: str, fn) -> None:
    walls, cpus = [], []
    for _ in range(RUNS):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    print(
        f"{label:58} wall best {min(walls):6.1f} median {statistics.median(walls):6.1f} ms"
        f" | CPU best {min(cpus):6.1f} median {statistics.median(cpus):6.1f} ms"
    )


def main() -> None:
    plan = big_plan()
    print(f"{len(plan.milestones)} milestones, {len(plan.dependencies)} links")
    before = plan.forecast()
    opened = [m for m in plan.milestones if m.status != "complete" and m.ref != "GO-LIVE"]
    act = next(m for m in opened if m.kind == "activity")
    link = plan.dependencies[2500]
    edits = [
        Slip(opened[100].ref, 10),
        SetForecast(opened[200].ref, date(2023, 5, 1)),
        SetDuration(act.ref, 25),
        SetDates(opened[300].ref, None, opened[300].due.replace(day=1)),
        SetLag(link.predecessor, link.successor, 5, link.type),
        RemoveLink(plan.dependencies[3000].predecessor, plan.dependencies[3000].successor),
        AddLink(opened[10].ref, opened[1500].ref, "FS", 3),
        AddMilestone(
            "NEW-01",
            "Extra assurance",
            "GOV",
            "point",
            None,
            date(2023, 6, 1),
            (NewLink(opened[1200].ref),),
            (NewLink("GO-LIVE"),),
        ),
        SetGoLiveTarget(date(2023, 7, 14)),
    ]
    late_slip = [*edits[1:], Slip(opened[100].ref, 10)]
    timed("forecast alone", plan.forecast)
    timed(
        "9 edits, plan forecast cached: apply+forecast+compare",
        lambda: compare(plan, apply(plan, edits, before=before), before=before),
    )
    timed("9 edits, nothing cached: what_if (2 forecasts)", lambda: what_if(plan, edits))
    timed(
        "9 edits, slip last (one more forecast), plan's cached",
        lambda: compare(plan, apply(plan, late_slip, before=before), before=before),
    )
    timed(
        "quick_slip, plan forecast cached",
        lambda: quick_slip(plan, opened[100].ref, 10, before=before),
    )
    timed("quick_slip, nothing cached", lambda: quick_slip(plan, opened[100].ref, 10))
    c = compare(plan, apply(plan, edits, before=before), before=before)
    print(c.sentence)
    print(len(c.changed), "milestones changed")


if __name__ == "__main__":
    main()
