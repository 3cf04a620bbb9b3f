"""Schedule risk analysis (Monte Carlo): the chance of making the go-live target.

Plain data in (the plan ``forecast_programme`` takes, three-point estimates by milestone
ref, risk events), plain data out (``RiskAnalysis``). Each iteration samples every uncertain
milestone (Beta-PERT, to the nearest whole working day) and every risk event (one draw per
risk), and runs the engine's forward pass over the plan; thousands of iterations run at once
with numpy (risk_sampling.py). What the numbers mean, the defaults and the limits:
docs/risk-analysis.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from .calendar import WorkingCalendar
from .explain import forecast_dates
from .programme import _plan_pass
from .programme_data import STATUSES, PlannedDependency, PlannedMilestone, Translated
from .risk_sampling import Network, Occurrence, Spread, Tally, compile_network, simulate

__all__ = [
    "DEFAULT_ITERATIONS",
    "LIKELIHOOD_PROBABILITY",
    "RiskAnalysis",
    "RiskDriver",
    "RiskEvent",
    "StatusDefaults",
    "ThreePoint",
    "UncertaintyDefaults",
    "analyse_schedule_risk",
    "probability_for_likelihood",
    "uncertainty_for",
]

DEFAULT_ITERATIONS = 5000
MAX_ITERATIONS = 1_000_000
DAYS_LIMIT = 2600  # ten years of working days: a three-point or impact beyond is a slip
SHARES = (50, 80, 90)  # the P-dates reported, as percentages

# Likelihood scores 1-5 as the middle of the probability bands programme and project risk
# registers use: rare up to 5 %, unlikely 6-20 %, possible 21-50 %, likely 51-80 %, almost
# certain over 80 %. (The NPSA's patient-safety bands, < 0.1 % to > 50 %, measure how often
# incidents happen and would make "possible" 5.5 %.) docs/risk-analysis.md.
LIKELIHOOD_PROBABILITY: Mapping[int, float] = {1: 0.03, 2: 0.13, 3: 0.35, 4: 0.65, 5: 0.90}


@dataclass(frozen=True, slots=True)
class ThreePoint:
    """Optimistic, most likely and pessimistic, in whole working days (or percentages in
    ``StatusDefaults.activity_percent``). For an activity: its duration. For a point
    milestone: its slip against when it would otherwise finish (negative = earlier)."""

    optimistic: int
    likely: int
    pessimistic: int


@dataclass(frozen=True, slots=True)
class StatusDefaults:
    point_slip: ThreePoint  # working days of slip
    activity_percent: ThreePoint  # percent of the duration still to run (from today)


@dataclass(frozen=True)
class UncertaintyDefaults:
    """The programme's three-points by status; a completed milestone has none. The most
    likely is the plan itself; in progress is narrower than not started, blocked wider and
    never early (docs/risk-analysis.md, "Defaults")."""

    not_started: StatusDefaults = StatusDefaults(ThreePoint(0, 0, 10), ThreePoint(-10, 0, 50))
    in_progress: StatusDefaults = StatusDefaults(ThreePoint(0, 0, 5), ThreePoint(-5, 0, 25))
    blocked: StatusDefaults = StatusDefaults(ThreePoint(0, 0, 20), ThreePoint(0, 0, 100))

    def __post_init__(self) -> None:
        for status in ("not_started", "in_progress", "blocked"):
            given: StatusDefaults = getattr(self, status)
            words = status.replace("_", " ")
            _check_three_point(f"defaults for {words} points", given.point_slip, duration=False)
            percent = given.activity_percent
            _check_three_point(f"defaults for {words} activities", percent, duration=False)
            if percent.optimistic < -100:
                raise ValueError(
                    f"defaults for {words} activities: a duration cannot shrink by more than "
                    f"100 %, got {percent.optimistic}"
                )

    @classmethod
    def certain(cls) -> UncertaintyDefaults:
        """No uncertainty anywhere: only explicit three-points count."""
        none = StatusDefaults(ThreePoint(0, 0, 0), ThreePoint(0, 0, 0))
        return cls(none, none, none)

    def for_status(self, status: str) -> StatusDefaults | None:
        """The defaults for a milestone with this status; None when complete."""
        return None if status == "complete" else getattr(self, status)


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A risk in the register that would delay milestones: in an iteration where it happens
    (chance ``probability``), each milestone in ``refs`` finishes ``impact_days`` later."""

    key: str  # "R-07"
    title: str
    probability: float  # more than 0, at most 1
    impact_days: int  # working days, >= 1
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RiskDriver:
    """How much one uncertain milestone or risk event moves go-live (a tornado chart's bar).

    ``swing_days``: for a milestone, go-live's mean finish (working days) over the tenth of
    iterations in which it came out worst, less the mean over the tenth in which it came out
    best; for a risk, go-live's mean finish when it happens less when it does not. Exactly 0
    when it (a risk: each of its milestones) was never on the path driving go-live; None for
    a risk that happened in every iteration or in none (nothing to compare)."""

    kind: str  # "milestone" or "risk"
    ref: str  # the milestone's ref or the risk's key
    title: str
    swing_days: float | None
    occurred: float | None = None  # a risk: the share of iterations it happened in


@dataclass(frozen=True)
class RiskAnalysis:
    """The run's answers. Dates are go-live's forecast date in an iteration; shares are 0..1."""

    go_live_ref: str
    go_live_target: date
    today: date
    iterations: int
    seed: int
    forecast_go_live: date  # the plan's own (deterministic) forecast, for reference
    chance_of_target: float  # share of iterations going live on or before the target
    p50: date  # the earliest date by which at least 50 % of iterations have gone live
    p80: date
    p90: date
    histogram: tuple[tuple[date, int], ...]  # (go-live date, iterations), every date, sorted
    s_curve: tuple[tuple[date, float], ...]  # (go-live date, share live by then)
    criticality: dict[str, float]  # ref -> share of iterations it drives go-live, plan order
    drivers: tuple[RiskDriver, ...]  # largest swing first (by size; None last)

    def top_drivers(self, n: int = 10) -> tuple[RiskDriver, ...]:
        """The ``n`` uncertain milestones and risks that move go-live most."""
        return self.drivers[:n]

    def date_by_share(self, share: float) -> date:
        """The earliest go-live date by which at least ``share`` (0..1) of iterations have
        gone live (the P-date: P80 is ``date_by_share(0.8)``)."""
        if not 0 < share <= 1:
            raise ValueError(f"share must be more than 0 and at most 1, got {share!r}")
        # Rounded first, so 0.8 of 5,000 is 4,000 iterations and not 4,001.
        return _date_by(self.histogram, max(1, math.ceil(round(share * self.iterations, 6))))

    def chance_by(self, day: date) -> float:
        """The share of iterations that have gone live by the end of ``day``."""
        return sum(c for d, c in self.histogram if d <= day) / self.iterations

    def as_json(self) -> dict[str, Any]:
        """The result as JSON-ready values (ISO dates)."""
        return {
            "go_live_ref": self.go_live_ref,
            "go_live_target": self.go_live_target.isoformat(),
            "today": self.today.isoformat(),
            "iterations": self.iterations,
            "seed": self.seed,
            "forecast_go_live": self.forecast_go_live.isoformat(),
            "chance_of_target": self.chance_of_target,
            "p50": self.p50.isoformat(),
            "p80": self.p80.isoformat(),
            "p90": self.p90.isoformat(),
            "histogram": [[d.isoformat(), c] for d, c in self.histogram],
            "s_curve": [[d.isoformat(), s] for d, s in self.s_curve],
            "criticality": dict(self.criticality),
            "drivers": [
                {
                    "kind": d.kind,
                    "ref": d.ref,
                    "title": d.title,
                    "swing_days": d.swing_days,
                    "occurred": d.occurred,
                }
                for d in self.drivers
            ],
        }


def probability_for_likelihood(
    likelihood: int, table: Mapping[int, float] = LIKELIHOOD_PROBABILITY
) -> float:
    """The probability a risk register's likelihood score (1 rare .. 5 almost certain) stands
    for: the midpoint of its band (LIKELIHOOD_PROBABILITY), or of ``table`` when given."""
    if type(likelihood) is not int or likelihood not in table:
        raise ValueError(f"likelihood must be a whole number from 1 to 5, got {likelihood!r}")
    return table[likelihood]


def uncertainty_for(
    milestones: Iterable[PlannedMilestone],
    *,
    today: date,
    calendar: WorkingCalendar,
    defaults: UncertaintyDefaults | None = None,
    overrides: Mapping[str, ThreePoint] | None = None,
    go_live_ref: str | None = None,
) -> dict[str, ThreePoint]:
    """Every open milestone's three-point, by ref in plan order: its own (``overrides``) where
    it has one, else the programme's default for its status. A point gets the default slip;
    an activity its planned duration plus the default percentages of the working days it
    still has to run (from today, or its planned start if later, to its due date): optimistic
    rounded down, most likely to the nearest day, pessimistic up. ``defaults`` is
    UncertaintyDefaults() when not given. Completed milestones have none, and neither has
    go-live (``go_live_ref``) unless overridden: its date is what the run measures, moved by
    the work feeding it, and a slip of its own would cap the chance of making the target.
    An override for a ref not in the plan is a ValueError naming it."""
    defaults = UncertaintyDefaults() if defaults is None else defaults
    plan = list(milestones)
    by_ref = {m.ref: m for m in plan}
    given = dict(overrides or {})
    for ref, tp in given.items():
        m = by_ref.get(ref)
        if m is None:
            raise ValueError(f"uncertainty for {ref!r}: no such milestone in the plan")
        _check_three_point(f"uncertainty for {ref!r}", tp, duration=m.kind == "activity")
    found: dict[str, ThreePoint] = {}
    for m in plan:
        if m.status == "complete" or m.status not in STATUSES:
            continue  # completed is history; an unknown status is the plan check's to name
        own = given.get(m.ref)
        if own is not None:
            found[m.ref] = own
            continue
        if m.ref == go_live_ref:
            continue
        status = defaults.for_status(m.status)
        assert status is not None
        if m.kind != "activity":
            found[m.ref] = status.point_slip
        elif m.planned_start is not None and m.planned_start <= m.due:
            found[m.ref] = _activity_default(m, m.planned_start, status, today, calendar)
    return found


def _activity_default(
    m: PlannedMilestone, start: date, status: StatusDefaults, today: date, cal: WorkingCalendar
) -> ThreePoint:
    d = cal.duration(start, m.due)
    ahead = cal.finish_offset(m.due) - max(cal.start_offset(start), cal.start_offset(today))
    r = min(d, max(0, ahead))
    pct = status.activity_percent
    low, mid, high = pct.optimistic, pct.likely, pct.pessimistic
    return ThreePoint(
        max(0, d + (low * r) // 100),  # rounded down
        max(0, d + (2 * mid * r + 100) // 200),  # to the nearest, halves up
        d - ((-high * r) // 100),  # rounded up
    )


def analyse_schedule_risk(
    milestones: Iterable[PlannedMilestone],
    dependencies: Iterable[PlannedDependency],
    *,
    go_live_ref: str,
    go_live_target: date,
    today: date,
    calendar: WorkingCalendar,
    uncertainty: Mapping[str, ThreePoint] | None = None,
    risk_events: Sequence[RiskEvent] = (),
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> RiskAnalysis:
    """Run the analysis: ``iterations`` samples of the plan with ``seed`` (the same seed
    gives the same result). ``uncertainty`` is by milestone ref (uncertainty_for makes it
    from the programme's defaults); a ref missing is certain. ``progress(done, total)`` is
    called after each block of 1,000 iterations.

    Raises ScheduleError as forecast_programme does for a bad plan, and ValueError naming the
    item for a bad three-point, an unknown ref, a bad risk or a bad iteration count."""
    _check_run(iterations, seed)
    plans, shift, acts, links, full = _plan_pass(
        milestones, dependencies, go_live_ref, today, calendar
    )
    index = {ref: k for k, ref in enumerate(plans)}
    spreads = _spreads(uncertainty or {}, plans, index)
    events = _checked_risks(risk_events, plans)
    occurrences = [
        Occurrence(
            float(e.probability),
            e.impact_days,
            tuple(dict.fromkeys(index[r] for r in e.refs if plans[r].actual is None)),
        )
        for e in events
    ]
    net = compile_network(
        acts,
        [p.m.kind == "point" for p in plans.values()],
        links,
        go_live_ref,
        calendar.finish_offset(today) - shift,
        spreads,
        occurrences,
    )
    tally = simulate(net, iterations, seed, progress)

    go_plan = plans[go_live_ref]
    act = full.activities[go_live_ref]
    finishes = np.concatenate(tally.go_live)
    offsets, counts = np.unique(finishes, return_counts=True)
    histogram = tuple(
        (_go_live_date(go_plan, int(f), shift, calendar), int(c))
        for f, c in zip(offsets, counts, strict=True)
    )
    running = 0
    curve = []
    for d, c in histogram:
        running += c
        curve.append((d, running / iterations))
    p50, p80, p90 = (_date_by(histogram, -(-iterations * q // 100)) for q in SHARES)
    return RiskAnalysis(
        go_live_ref=go_live_ref,
        go_live_target=go_live_target,
        today=today,
        iterations=iterations,
        seed=seed,
        forecast_go_live=forecast_dates(go_plan, act.es, act.ef, shift, calendar)[1],
        chance_of_target=sum(c for d, c in histogram if d <= go_live_target) / iterations,
        p50=p50,
        p80=p80,
        p90=p90,
        histogram=histogram,
        s_curve=tuple(curve),
        criticality={
            ref: int(c) / iterations for ref, c in zip(plans, tally.driving.tolist(), strict=True)
        },
        drivers=_drivers(net, tally, plans, events, iterations),
    )


def _go_live_date(plan: Translated, finish: int, shift: int, cal: WorkingCalendar) -> date:
    # The same conversion forecast_programme makes (a completed go-live keeps its own date).
    return forecast_dates(plan, finish, finish, shift, cal)[1]


def _date_by(histogram: tuple[tuple[date, int], ...], needed: int) -> date:
    """The first date by which at least ``needed`` iterations have gone live."""
    running = 0
    for d, c in histogram:
        running += c
        if running >= needed:
            return d
    return histogram[-1][0]


def _drivers(
    net: Network,
    tally: Tally,
    plans: Mapping[str, Translated],
    events: Sequence[RiskEvent],
    iterations: int,
) -> tuple[RiskDriver, ...]:
    refs = list(plans)
    # A milestone never on the path driving go-live (in no iteration, its worst ones
    # included) never moved it: its swing is exactly 0, not the noise the comparison gives.
    reached = set(np.flatnonzero(tally.driving).tolist())
    found: list[RiskDriver] = []
    for row, s in enumerate(net.spreads):
        ref = refs[s.index]
        swing = 0.0
        if s.index in reached:
            swing = (int(tally.top_sum[row]) - int(tally.bottom_sum[row])) / tally.tenth
        found.append(RiskDriver("milestone", ref, plans[ref].m.title, swing))
    total = int(sum(int(g.sum()) for g in tally.go_live))
    for e, (event, occ) in enumerate(zip(events, net.occurrences, strict=True)):
        hits = int(tally.risk_hits[e])
        swing_or_none: float | None = None
        if 0 < hits < iterations:
            swing_or_none = 0.0
            if any(k in reached for k in occ.indices):
                when = int(tally.risk_sum[e])
                swing_or_none = when / hits - (total - when) / (iterations - hits)
        found.append(RiskDriver("risk", event.key, event.title, swing_or_none, hits / iterations))
    found.sort(key=lambda d: (d.swing_days is None, -abs(d.swing_days or 0.0), d.kind, d.ref))
    return tuple(found)


def _check_run(iterations: object, seed: object) -> None:
    if type(iterations) is not int or not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(
            f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}, got {iterations!r}"
        )
    if type(seed) is not int or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")


def _check_three_point(what: str, tp: object, *, duration: bool) -> None:
    if not isinstance(tp, ThreePoint):
        raise ValueError(
            f"{what}: expected ThreePoint(optimistic, likely, pessimistic), got {tp!r}"
        )
    values = (tp.optimistic, tp.likely, tp.pessimistic)
    for name, v in zip(("optimistic", "likely", "pessimistic"), values, strict=True):
        if type(v) is not int or abs(v) > DAYS_LIMIT:
            raise ValueError(
                f"{what}: {name} must be a whole number of working days from -{DAYS_LIMIT} "
                f"to {DAYS_LIMIT}, got {v!r}"
            )
    low, mid, high = values
    if not low <= mid <= high:
        raise ValueError(
            f"{what}: optimistic {low}, likely {mid} and pessimistic {high} must not go down"
        )
    if duration and low < 0:
        raise ValueError(f"{what}: an activity's duration cannot be below 0, got {low}")


def _spreads(
    uncertainty: Mapping[str, ThreePoint], plans: Mapping[str, Translated], index: dict[str, int]
) -> list[Spread]:
    found: list[Spread] = []
    for ref, tp in uncertainty.items():
        plan = plans.get(ref)
        if plan is None:
            raise ValueError(f"uncertainty for {ref!r}: no such milestone in the plan")
        _check_three_point(f"uncertainty for {ref!r}", tp, duration=plan.m.kind == "activity")
        if plan.actual is None:  # a completed milestone is history: never sampled
            found.append(Spread(index[ref], tp.optimistic, tp.likely, tp.pessimistic))
    # Plan order, whatever the mapping's: the same plan and seed give the same samples.
    found.sort(key=lambda s: s.index)
    return found


def _checked_risks(risks: Sequence[RiskEvent], plans: Mapping[str, Translated]) -> list[RiskEvent]:
    """The risk events, checked, by key (so their order does not change the samples)."""
    seen: set[str] = set()
    for r in risks:
        if not isinstance(r, RiskEvent):
            raise ValueError(f"expected a RiskEvent, got {r!r}")
        if not isinstance(r.key, str) or not r.key.strip():
            raise ValueError(f"a risk event needs a key, got {r.key!r}")
        what = f"risk {r.key}"
        if r.key in seen:
            raise ValueError(f"{what}: given twice")
        seen.add(r.key)
        p = r.probability
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p <= 1:
            raise ValueError(f"{what}: probability must be more than 0 and at most 1, got {p!r}")
        if type(r.impact_days) is not int or not 1 <= r.impact_days <= DAYS_LIMIT:
            raise ValueError(
                f"{what}: impact must be a whole number of working days from 1 to "
                f"{DAYS_LIMIT}, got {r.impact_days!r}"
            )
        if isinstance(r.refs, str) or not isinstance(r.refs, tuple | list):
            raise ValueError(f"{what}: refs must be a tuple of milestone refs, got {r.refs!r}")
        for ref in r.refs:
            if ref not in plans:
                raise ValueError(f"{what}: unknown milestone {ref!r}")
    return sorted(risks, key=lambda r: r.key)
