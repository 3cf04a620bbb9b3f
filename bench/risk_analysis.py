"""Benchmark schedule risk analysis (tracker.scheduling.analyse_schedule_risk).

A synthetic plan with a fixed seed: 2,000 milestones (about 70 % activities, 30 % points;
some complete, in progress, blocked, overdue or with a lead's forecast) and exactly 5,000
links of every type with lags and leads, go-live last; the programme's default uncertainty
on every open milestone but go-live (uncertainty_for) and 20 risk events on one to three
milestones each.
Times the whole call (the plan checked and translated, the deterministic pass, sampling,
both vectorised passes and the summary) for 10,000 and 5,000 iterations, median of several
runs, wall clock and CPU (time.process_time); then one more 10,000-iteration run under
tracemalloc for the peak memory numpy and Python allocate.

Usage: .venv/bin/python bench/risk_analysis.py [--runs 3] [--milestones 2000] [--links 5000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.scheduling import (  # noqa: E402
    PlannedDependency,
    PlannedMilestone,
    WorkingCalendar,
    forecast_programme,
)
from tracker.scheduling.risk_analysis import (  # noqa: E402
    RiskEvent,
    analyse_schedule_risk,
    probability_for_likelihood,
    uncertainty_for,
)

CAL = WorkingCalendar(date(2025, 4, 1))
TODAY = date(2025, 9, 1)
GO_LIVE = date(2027, 4, 30)
TYPES = ("FS",) * 14 + ("SS",) * 3 + ("FF",) * 2 + ("SF",)


def make_plan(
    n: int, n_links: int, seed: int = 20261204
) -> tuple[list[PlannedMilestone], list[PlannedDependency]]:
    """``n`` milestones (go-live last) and exactly ``n_links`` links, acyclic by
    construction: each milestone follows some of those 50 to 250 before it."""
    rnd = random.Random(seed)
    milestones: list[PlannedMilestone] = []
    for k in range(n - 1):
        start = date(2025, 4, 7) + timedelta(days=k * 500 // n + rnd.randint(0, 30))
        kind = "activity" if rnd.random() < 0.7 else "point"
        due = start + timedelta(days=rnd.randint(3, 40)) if kind == "activity" else start
        fields: dict[str, object] = {}
        roll = rnd.random()
        if due < TODAY and roll < 0.6:
            status = "complete"
            fields["completed_on"] = min(due + timedelta(days=rnd.randint(-3, 9)), TODAY)
        elif roll < 0.7:
            status = "blocked"
        elif roll < 0.85:
            status = "in_progress"
            if due >= TODAY and rnd.random() < 0.3:
                fields["forecast"] = due + timedelta(days=rnd.randint(1, 30))
        else:
            status = "not_started"
        milestones.append(
            PlannedMilestone(
                f"M-{k:04d}",
                f"Milestone {k}",
                rnd.choice(["GOV", "PEO", "FIN", "DIG"]),
                "Sam Patel",
                kind,
                start if kind == "activity" else None,
                due,
                status,
                **fields,  # type: ignore[arg-type]
            )
        )
    milestones.append(
        PlannedMilestone(
            "GO-LIVE", "Go-live", "GOV", "Sam Patel", "point", None, GO_LIVE, "not_started"
        )
    )
    pairs: set[tuple[int, int]] = set()
    for k in range(1, n - 1):
        window = range(max(0, k - 250), max(1, k - 50))  # mostly work due weeks before
        for p in rnd.sample(window, min(len(window), rnd.randint(1, 3))):
            pairs.add((p, k))
    followed = {p for p, _ in pairs}
    pairs |= {(k, n - 1) for k in range(n - 1) if k not in followed}
    while len(pairs) < n_links:
        s = rnd.randrange(1, n - 1)
        pairs.add((rnd.randrange(max(0, s - 250), max(1, s - 50)), s))
    chosen = sorted(pairs)[:n_links] if len(pairs) > n_links else sorted(pairs)
    refs = [m.ref for m in milestones]
    deps = [
        PlannedDependency(
            refs[p],
            refs[s],
            "FS" if s == n - 1 else rnd.choice(TYPES),
            0 if rnd.random() < 0.7 else rnd.randint(-3, 10),
        )
        for p, s in chosen
    ]
    return milestones, deps


def risk_events(milestones: list[PlannedMilestone], count: int = 20) -> list[RiskEvent]:
    rnd = random.Random(7)
    refs = [m.ref for m in milestones[:-1]]
    return [
        RiskEvent(
            f"R-{k + 1:02d}",
            f"Risk {k + 1}",
            probability_for_likelihood(rnd.randint(2, 5)),
            rnd.randint(5, 20),
            tuple(rnd.sample(refs, rnd.randint(1, 3))),
        )
        for k in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--links", type=int, default=5000)
    args = parser.parse_args()

    milestones, deps = make_plan(args.milestones, args.links)
    uncertainty = uncertainty_for(milestones, today=TODAY, calendar=CAL, go_live_ref="GO-LIVE")
    risks = risk_events(milestones)
    plan = {
        "go_live_ref": "GO-LIVE",
        "go_live_target": GO_LIVE,
        "today": TODAY,
        "calendar": CAL,
    }
    open_count = sum(m.status != "complete" for m in milestones)
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"plan: {len(milestones)} milestones ({open_count} open, {len(uncertainty)} with a "
        f"three-point), {len(deps)} links, {len(risks)} risk events"
    )

    t0 = time.perf_counter()
    forecast = forecast_programme(milestones, deps, **plan)  # type: ignore[arg-type]
    print(f"forecast_programme once: {(time.perf_counter() - t0) * 1000:.0f} ms")

    for iterations in (10_000, 5_000):
        walls, cpus = [], []
        result = None
        for _ in range(args.runs):
            w, c = time.perf_counter(), time.process_time()
            result = analyse_schedule_risk(
                milestones,
                deps,
                uncertainty=uncertainty,
                risk_events=risks,
                iterations=iterations,
                seed=1,
                **plan,  # type: ignore[arg-type]
            )
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        assert result is not None
        print(
            f"{iterations:>6,} iterations: wall {statistics.median(walls):.2f} s, "
            f"CPU {statistics.median(cpus):.2f} s (median of {args.runs}; "
            f"wall runs {', '.join(f'{x:.2f}' for x in walls)})"
        )
        print(
            f"    forecast {forecast.forecast_go_live}, chance of {GO_LIVE}: "
            f"{result.chance_of_target:.1%}, P50 {result.p50}, P80 {result.p80}, "
            f"P90 {result.p90}"
        )

    tracemalloc.start()
    analyse_schedule_risk(
        milestones,
        deps,
        uncertainty=uncertainty,
        risk_events=risks,
        iterations=10_000,
        seed=1,
        **plan,  # type: ignore[arg-type]
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory allocated during a 10,000-iteration run: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
