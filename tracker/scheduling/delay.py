"""Go-live's forecast if one milestone finished later, worked out from the forecast already
made: only the milestones downstream of it are passed over again.

Plan health's critical path test asks this after every change (delay the first open
milestone driving go-live, and see go-live move by as much). Running the whole plan through
the engine again took a second engine pass and a translation of every milestone (at 5,000
milestones about a fifth of the dashboard's time after a change); a delay can only move
later what depends on the delayed milestone, so only that part is recomputed here.

The rules are the engine's (docs/scheduling.md): a delay only raises bounds, so each
downstream milestone's new early start is the larger of its old one and the bounds its
changed predecessors now give; done milestones keep their actual dates and stop the push.
`tests/scheduling/test_delay.py` checks the answer equals forecast_go_live on the delayed
plan, over random plans and delays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .calendar import WorkingCalendar
from .explain import forecast_dates
from .network import Activity, Link, Schedule
from .programme_data import Translated


@dataclass(frozen=True)
class PlanNetwork:
    """The forecast's plan in engine time, as its pass left it (kept on ProgrammeForecast)."""

    plans: Mapping[str, Translated]
    shift: int
    activities: Sequence[Activity]
    links: Sequence[Link]
    schedule: Schedule
    calendar: WorkingCalendar
    go_live_ref: str


def go_live_if_delayed(network: PlanNetwork, ref: str, finish: date) -> date:
    """Go-live's forecast due date if `ref` were forecast to finish on `finish` (no earlier
    than: a date before its forecast changes nothing), everything else as planned."""
    cal, shift, sched = network.calendar, network.shift, network.schedule
    go = network.go_live_ref
    base = sched.activities
    go_plan = network.plans[go]
    unchanged = forecast_dates(go_plan, base[go].es, base[go].ef, shift, cal)[1]
    acts = {a.id: a for a in network.activities}
    delayed = acts[ref]
    if _fixed(delayed):
        return unchanged
    new_es = max(base[ref].es, cal.finish_offset(finish) - shift - delayed.duration)
    if new_es == base[ref].es:
        return unchanged

    succs: dict[str, list[Link]] = {}
    for link in network.links:
        succs.setdefault(link.predecessor, []).append(link)
    # The milestones downstream of the delayed one, in an order where each comes after
    # every downstream predecessor (Kahn's, on that part of the network alone).
    downstream = {ref}
    stack = [ref]
    while stack:
        for link in succs.get(stack.pop(), ()):
            if link.successor not in downstream:
                downstream.add(link.successor)
                stack.append(link.successor)
    waiting = dict.fromkeys(downstream, 0)
    for node in downstream:
        for link in succs.get(node, ()):
            waiting[link.successor] += 1
    es = {ref: new_es}
    ef = {ref: new_es + delayed.duration}
    bound: dict[str, int] = {}
    ready = [ref]
    while ready:
        i = ready.pop()
        if i != ref:
            act = acts[i]
            if _fixed(act):  # done or started: predecessors no longer move it
                es[i], ef[i] = base[i].es, base[i].ef
            else:
                es[i] = max(base[i].es, bound.get(i, base[i].es))
                ef[i] = es[i] + act.duration
        for link in succs.get(i, ()):
            j = link.successor
            d_j = acts[j].duration
            lag = link.lag
            pushed = {
                "FS": ef[i] + lag,
                "SS": es[i] + lag,
                "FF": ef[i] + lag - d_j,
                "SF": es[i] + lag - d_j,
            }[link.type]
            if pushed > bound.get(j, pushed - 1):
                bound[j] = pushed
            waiting[j] -= 1
            if not waiting[j]:
                ready.append(j)
    if go not in es:
        return unchanged
    return forecast_dates(go_plan, es[go], ef[go], shift, cal)[1]


def _fixed(act: Activity) -> bool:
    return act.actual_start is not None or act.actual_finish is not None
