"""The CPM engine's data: inputs, results and errors (plain, frozen, slotted dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass

LINK_TYPES = ("FS", "SS", "FF", "SF")  # index = type code used by the engine


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    duration: int  # whole working days, >= 0; 0 = point milestone
    earliest_start: int | None = None  # start no earlier than
    earliest_finish: int | None = None  # finish no earlier than (moves the whole activity)
    actual_start: int | None = None  # both actual_* given => done, fixed in time
    actual_finish: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    predecessor: str
    successor: str
    type: str = "FS"  # FS, SS, FF, SF
    lag: int = 0  # working days; negative = lead


@dataclass(frozen=True, slots=True)
class Driver:
    """One binding constraint on an activity's early start."""

    kind: str  # "link", "earliest_start", "earliest_finish", "actual", "project_start"
    predecessor: str | None = None
    type: str | None = None
    lag: int = 0


@dataclass(frozen=True, slots=True)
class ScheduledActivity:
    id: str
    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    free_float: int
    critical: bool
    done: bool
    drivers: tuple[Driver, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    project_duration: int  # T = largest early finish
    horizon: int  # H = deadline if given else T
    activities: dict[str, ScheduledActivity]

    def driving_chain(self, activity_id: str) -> list[str]:
        """Ids from the root of the driving chain to ``activity_id``.

        Each step goes back along the first binding link; the root has none.
        """
        acts = self.activities
        chain = [activity_id]
        current = acts[activity_id]
        while True:
            pred = _first_link_predecessor(current)
            if pred is None:
                break
            chain.append(pred)
            current = acts[pred]
        chain.reverse()
        return chain

    def driving_paths(self, activity_id: str) -> set[str]:
        """Every activity on any binding chain into ``activity_id``, itself included."""
        acts = self.activities
        seen = {activity_id}
        stack = [activity_id]
        while stack:
            for drv in acts[stack.pop()].drivers:
                pred = drv.predecessor
                if drv.kind == "link" and pred is not None and pred not in seen:
                    seen.add(pred)
                    stack.append(pred)
        return seen


def _first_link_predecessor(act: ScheduledActivity) -> str | None:
    for drv in act.drivers:
        if drv.kind == "link":
            return drv.predecessor
    return None


class ScheduleError(ValueError):
    """Bad network: the message is one line naming the problem."""


class CycleError(ScheduleError):
    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__("dependency cycle: " + " -> ".join([*cycle, cycle[0]]))
