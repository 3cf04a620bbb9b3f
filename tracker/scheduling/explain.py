"""The board's words: what drives each forecast, the "why" chain, and RAG with reasons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .calendar import WorkingCalendar
from .network import Schedule
from .programme_data import (
    AMBER,
    BLUE,
    GREEN,
    RAG_ORDER,
    RED,
    MilestoneForecast,
    PlannedMilestone,
    ScheduleRules,
    Translated,
    WhyStep,
    days_text,
    long_date,
)


def forecast_dates(
    plan: Translated, act_es: int, act_ef: int, shift: int, cal: WorkingCalendar
) -> tuple[date, date]:
    m = plan.m
    if plan.actual is not None:
        done = m.completed_on or m.due
        start = min(m.planned_start, done) if m.planned_start is not None else done
        return (start if m.kind == "activity" else done), done
    due = cal.finish_date(act_ef + shift)
    if m.kind == "point" or plan.duration == 0:
        return due, due
    return cal.start_date(act_es + shift), due


def cause_of(plan: Translated, sched: Schedule, shift: int) -> str:
    """What fixes a milestone's forecast: "complete", "predecessor", "lead", "overdue" or
    "plan". A predecessor counts only when it pushes past the milestone's own dates."""
    act = sched.activities[plan.m.ref]
    if act.done:
        return "complete"
    kinds = {d.kind for d in act.drivers}
    if "link" in kinds and not kinds & {"earliest_start", "earliest_finish"}:
        return "predecessor"
    if "earliest_finish" in kinds:
        if plan.lead_finish is not None and plan.lead_finish - shift == act.ef:
            return "lead"
        return "overdue"
    return "plan"


def step_reason(plan: Translated, cause: str, forecast_due: date, slip: int) -> str:
    return _reason(plan.m, cause, forecast_due, slip)


def _reason(m: PlannedMilestone, cause: str, forecast_due: date, slip: int) -> str:
    if cause == "complete":
        done = m.completed_on or m.due
        return (
            f"completed late on {long_date(done)}" if slip > 0 else f"completed {long_date(done)}"
        )
    if cause == "overdue":
        return f"overdue: was due {long_date(m.due)}"
    if cause == "lead":
        text = f"late: lead forecasts {long_date(forecast_due)}"
        return f"{text} ({m.forecast_reason})" if m.forecast_reason else text
    if cause == "predecessor":
        return "late" if slip > 0 else "held by its predecessors"
    return "on plan"


def why_chain(
    plan: Translated,
    plans: dict[str, Translated],
    sched: Schedule,
    shift: int,
    cal: WorkingCalendar,
) -> tuple[WhyStep, ...]:
    """The chain of predecessors pushing this milestone past its own dates, nearest first;
    it ends at the root cause (a milestone late for its own reasons, or on plan). The whole
    walk, for one milestone; a forecast's chains come from ``Explainer``, which shares them."""
    steps: list[WhyStep] = []
    current = plan
    while cause_of(current, sched, shift) == "predecessor":
        act = sched.activities[current.m.ref]
        pred_ref = next(d.predecessor for d in act.drivers if d.kind == "link")
        assert pred_ref is not None
        current = plans[pred_ref]
        p_act = sched.activities[pred_ref]
        _start, p_due = forecast_dates(current, p_act.es, p_act.ef, shift, cal)
        p_slip = cal.working_days_between(current.m.due, p_due)
        reason = step_reason(current, cause_of(current, sched, shift), p_due, p_slip)
        steps.append(WhyStep(current.m.ref, current.m.title, current.m.owner, reason))
    return tuple(steps)


class Explainer:
    """Each milestone's "why" chain and its sentence, worked out when first asked for, then
    kept. A page shows a few (the milestone page and the API's one), so most are never made.

    A milestone's chain is its driving predecessor's step followed by that predecessor's own
    chain, so each step is made once and each chain once, from the chain it extends: walking
    every milestone's whole chain of predecessors again was quadratic on long chains. The
    answers equal ``why_chain`` and ``explanation``'s (a test compares them on generated plans).

    It keeps only plain values besides the plan and the forecasts the schedule holds anyway
    (each milestone's cause and driving link), not the engine's schedule: fewer objects for
    the garbage collector to walk while the schedule is cached. The memo is filled in place,
    also from several threads at once on a cached schedule: each entry is always the same
    value, and a dict's item assignment is atomic.
    """

    __slots__ = ("_cal", "_causes", "_chains", "_forecasts", "_links", "_plan", "_steps", "_texts")

    def __init__(
        self,
        plan: dict[str, PlannedMilestone],
        forecasts: dict[str, MilestoneForecast],
        cal: WorkingCalendar,
    ) -> None:
        self._plan = plan
        self._forecasts = forecasts  # filled in by the caller, before anything is read
        self._cal = cal
        self._causes: dict[str, str] = {}
        self._links: dict[str, tuple[str, str, int]] = {}  # driving link: from, type, lag
        self._steps: dict[str, WhyStep] = {}
        self._chains: dict[str, tuple[WhyStep, ...]] = {}
        self._texts: dict[str, str] = {}

    def note(self, plan: Translated, sched: Schedule, shift: int) -> None:
        """Keep what the milestone's words will need from the engine's schedule."""
        ref = plan.m.ref
        cause = self._causes[ref] = cause_of(plan, sched, shift)
        if cause == "predecessor":
            link = next(d for d in sched.activities[ref].drivers if d.kind == "link")
            assert link.predecessor is not None and link.type is not None
            self._links[ref] = (link.predecessor, link.type, link.lag)

    def _step(self, ref: str) -> WhyStep:
        """The milestone as a step in its successors' chains."""
        found = self._steps.get(ref)
        if found is None:
            m, f = self._plan[ref], self._forecasts[ref]
            reason = _reason(m, self._causes[ref], f.forecast_due, f.slip_days)
            found = self._steps[ref] = WhyStep(ref, m.title, m.owner, reason)
        return found

    def why(self, ref: str) -> tuple[WhyStep, ...]:
        """As ``why_chain``: nearest driving predecessor first, the root cause last."""
        chains, links = self._chains, self._links
        # Up the driving links to a chain already made or to the root cause ...
        pending: list[str] = []
        current = ref
        while current not in chains and current in links:
            pending.append(current)
            current = links[current][0]
        if current not in chains:
            chains[current] = ()
        # ... then down again, each chain one step on from its predecessor's.
        for successor in reversed(pending):
            chains[successor] = (self._step(current), *chains[current])
            current = successor
        return chains[ref]

    def explanation(self, ref: str, due: date, slip: int) -> str:
        """As ``explanation``, for the milestone forecast ``due`` with ``slip``."""
        found = self._texts.get(ref)
        if found is None:
            link = self._links.get(ref)
            text = _sentence(
                self._plan[ref],
                self._causes[ref],
                self.why(ref),
                None if link is None else link[1:],
                due,
                slip,
                self._cal,
            )
            found = self._texts[ref] = text
        return found


def _owner(name: str) -> str:
    return f"owner {name}" if name else "no owner"


def _non_working(day: date, cal: WorkingCalendar | None) -> str:
    """Why `day` is no working day, in words ("a Saturday"), with the calendar if known."""
    reason = cal.non_working_reason(day) if cal is not None else None
    return reason or "not a working day"


def explanation(
    plan: Translated,
    cause: str,
    why: tuple[WhyStep, ...],
    sched: Schedule,
    due: date,
    slip: int,
    cal: WorkingCalendar | None = None,
) -> str:
    """The forecast in a sentence. A date on a non-working day is measured to the last working
    day before it (docs/scheduling.md), and the sentence says so when that is why the
    forecast differs from the date given; `cal` names the day ("a bank holiday (...)")."""
    link = None
    if cause == "predecessor" and why:
        driving = next(d for d in sched.activities[plan.m.ref].drivers if d.kind == "link")
        assert driving.type is not None
        link = (driving.type, driving.lag)
    return _sentence(plan.m, cause, why, link, due, slip, cal)


def _sentence(
    m: PlannedMilestone,
    cause: str,
    why: tuple[WhyStep, ...],
    link: tuple[str, int] | None,
    due: date,
    slip: int,
    cal: WorkingCalendar | None,
) -> str:
    """``explanation``, given the type and lag of the driving link (None: no predecessor)."""
    if cause == "complete":
        late = f", {days_text(slip)} late" if slip > 0 else ""
        return f"Completed on {long_date(m.completed_on or m.due)}{late}."
    if cause == "predecessor" and why and link is not None:
        first = why[0]
        link_type, link_lag = link
        verb = "finish" if link_type in ("FS", "FF") else "start"
        lag = ""
        if link_lag > 0:
            lag = f", plus {days_text(link_lag)}"
        elif link_lag < 0:
            lag = f", less a lead of {days_text(-link_lag)}"
        text = (
            f"Forecast {long_date(due)} because '{first.title}' ({first.reason}, "
            f"{_owner(first.owner)}) must {verb} first{lag}."
        )
        if len(why) > 1:
            root = why[-1]
            text += f" The delay starts with '{root.title}' ({root.reason}, {_owner(root.owner)})."
        return text
    if cause == "lead":
        reason = f": {m.forecast_reason}" if m.forecast_reason else ""
        text = f"Forecast {long_date(due)}, as forecast by {m.forecast_by or 'the lead'}{reason}."
        if m.forecast is not None and due < m.forecast:
            text += (
                f" The forecast {long_date(m.forecast)} is {_non_working(m.forecast, cal)}, "
                "so the last working day before it."
            )
        return text
    if cause == "overdue":
        return (
            f"Overdue: due {long_date(m.due)} and not complete, so forecast no earlier than "
            f"the next working day, {long_date(due)}."
        )
    if due < m.due:
        return (
            f"Forecast {long_date(due)}: due {long_date(m.due)}, {_non_working(m.due, cal)}, "
            "so the last working day before it."
        )
    return f"Forecast {long_date(due)}, as planned."


def rag_for(
    m: PlannedMilestone,
    complete: bool,
    overdue: bool,
    total_float: int,
    slip: int,
    today: date,
    cal: WorkingCalendar,
    rules: ScheduleRules,
) -> tuple[str, str]:
    if complete:
        return BLUE, f"Complete: {long_date(m.completed_on or m.due)}"
    if overdue:
        return RED, f"Overdue: due {long_date(m.due)}"
    if total_float < 0:
        return RED, f"Negative float: {days_text(total_float)}"
    if slip > 0:
        return AMBER, f"Forecast later than due by {days_text(slip)}"
    to_due = cal.working_days_between(today, m.due)
    if to_due <= rules.amber_due_within and total_float < rules.amber_float:
        days_float = "1 day's" if total_float == 1 else f"{total_float} days'"
        return AMBER, f"Due within {days_text(rules.amber_due_within)} with {days_float} float"
    return GREEN, "On track"


def workstream_rags(forecasts: Iterable[MilestoneForecast]) -> dict[str, str]:
    worst: dict[str, str] = {}
    for f in forecasts:
        held = worst.get(f.workstream)
        if held is None or RAG_ORDER.index(f.rag) < RAG_ORDER.index(held):
            worst[f.workstream] = f.rag
    return worst
