"""Programme forecast data: the plan going in, the forecast coming out (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .delay import PlanNetwork

BLUE, RED, AMBER, GREEN = "blue", "red", "amber", "green"
RAG_ORDER = (RED, AMBER, GREEN, BLUE)  # worst first
ON_TRACK, AT_RISK, OFF_TRACK = "on track", "at risk", "off track"
STATUSES = ("not_started", "in_progress", "complete", "blocked")
KINDS = ("activity", "point")


@dataclass(frozen=True)
class PlannedMilestone:
    ref: str
    title: str
    workstream: str
    owner: str
    kind: str  # "activity" or "point"
    planned_start: date | None  # None for point milestones
    due: date
    status: str  # "not_started", "in_progress", "complete", "blocked"
    completed_on: date | None = None
    forecast: date | None = None  # the lead's forecast due date, if they gave one
    forecast_reason: str | None = None
    forecast_by: str | None = None  # who entered the forecast (a lead need not be the owner)
    is_key: bool = False
    baseline_due: date | None = None  # due date in the chosen baseline (None = not in it)


@dataclass(frozen=True)
class PlannedDependency:
    predecessor: str
    successor: str
    type: str = "FS"
    lag: int = 0  # working days; negative = lead


@dataclass(frozen=True)
class ScheduleRules:
    on_track_float: int = 10  # go-live float >= this: "on track"; 0.. below: "at risk"
    amber_due_within: int = 10  # Amber: due within this many working days ...
    amber_float: int = 5  # ... with less float than this


@dataclass(frozen=True)
class WhyStep:
    """One predecessor in the chain that holds a milestone's forecast back."""

    ref: str
    title: str
    owner: str
    reason: str  # short: "late", "overdue: was due 1 April 2022", "completed 3 May 2022", ...


class Explains(Protocol):
    """Works out a forecast's "why" when it is read (explain.Explainer)."""

    def why(self, ref: str) -> tuple[WhyStep, ...]: ...

    def explanation(self, ref: str, due: date, slip: int) -> str: ...


@dataclass(frozen=True, slots=True)
class MilestoneForecast:
    ref: str
    title: str
    workstream: str
    owner: str
    status: str
    is_key: bool
    due: date
    forecast_start: date
    forecast_due: date
    slip_days: int  # working days, forecast_due vs due; positive = later
    baseline_slip_days: int | None  # vs baseline_due; None when not in the baseline
    total_float: int  # working days
    free_float: int  # working days
    critical: bool  # total_float <= 0 and not complete
    on_driving_path: bool  # on a driving chain into go-live
    overdue: bool  # due before today and not complete
    rag: str  # "blue", "red", "amber", "green"
    rag_reason: str
    # The words come when read: a page shows a few of thousands (docs/scheduling.md).
    explainer: Explains = field(repr=False, compare=False)

    @property
    def why(self) -> tuple[WhyStep, ...]:
        """The predecessors holding the forecast back: the nearest first, the root cause last."""
        return self.explainer.why(self.ref)

    @property
    def explanation(self) -> str:
        """The forecast in a sentence."""
        return self.explainer.explanation(self.ref, self.forecast_due, self.slip_days)


@dataclass(frozen=True)
class ProgrammeForecast:
    go_live_ref: str
    go_live_target: date
    today: date
    forecast_go_live: date
    slip_days: int  # working days vs the target; positive = later
    baseline_slip_days: int | None  # vs baseline_go_live
    go_live_float: int  # working days
    status: str  # "on track", "at risk", "off track"
    working_days_to_go_live: int  # from today to the go-live target
    driving_path: tuple[str, ...]  # refs, first to last, ending with go-live
    critical_refs: tuple[str, ...]  # in forecast order
    milestones: dict[str, MilestoneForecast]
    workstream_rags: dict[str, str] = field(default_factory=dict)
    # Open milestones forecast after the go-live target that go-live does not wait for and
    # that are not planned to follow it: holes in the plan (see forecast_programme).
    after_go_live: tuple[str, ...] = ()
    feeds_nothing: frozenset[str] = frozenset()  # those of after_go_live with no successor
    # Held to their own planned date (start no earlier than) in the forward pass as planned,
    # where no link binds them: plan health's "held to planned dates" reads it from here.
    held_to_planned_date: frozenset[str] = frozenset()
    # The plan in engine time as the forecast's pass left it, so that "what if this one
    # finished later" recomputes only what is downstream of it (delay.py).
    network: PlanNetwork | None = field(default=None, repr=False, compare=False)

    def workstream_rag(self, code: str) -> str | None:
        """Worst milestone RAG in the workstream (red > amber > green > blue); None if it
        has no milestones."""
        return self.workstream_rags.get(code)


@lru_cache(maxsize=8192)  # strftime's %B is slow, and a plan names the same days often
def long_date(d: date) -> str:
    """'1 April 2022' (no leading zero, whatever the platform's strftime does)."""
    return f"{d.day} {d:%B %Y}"


def days_text(n: int, unit: str = "working day") -> str:
    return f"{n} {unit}" + ("" if abs(n) == 1 else "s")


@dataclass(slots=True)
class Translated:
    """A milestone translated into calendar offsets (before the shift to engine time)."""

    m: PlannedMilestone
    duration: int
    lower: int | None = None  # start no earlier than (planned start, or planned date)
    lead_finish: int | None = None  # the lead's forecast, as a finish offset
    overdue_finish: int | None = None  # next working day after today, as a finish offset
    actual: tuple[int, int] | None = None  # complete: (start, finish) offsets
