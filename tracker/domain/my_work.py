"""A lead's milestones grouped the way they plan their week."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.domain.terms import MilestoneStatus
from tracker.scheduling.programme_data import MilestoneForecast


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


@dataclass
class MyWork:
    overdue: list[MilestoneForecast] = field(default_factory=list)
    this_week: list[MilestoneForecast] = field(default_factory=list)
    next_two_weeks: list[MilestoneForecast] = field(default_factory=list)
    later: list[MilestoneForecast] = field(default_factory=list)
    done: list[MilestoneForecast] = field(default_factory=list)

    def groups(self) -> list[tuple[str, str, list[MilestoneForecast]]]:
        """(id, heading, milestones) in the order the page shows them."""
        return [
            ("overdue", "Overdue", self.overdue),
            ("this-week", "Due this week", self.this_week),
            ("next-two-weeks", "Due in the next two weeks", self.next_two_weeks),
            ("later", "Later", self.later),
            ("done", "Done", self.done),
        ]


def group_my_work(milestones: Iterable[MilestoneForecast], today: date) -> MyWork:
    """Overdue: due before today, not done. This week: due today to Sunday. Next two weeks:
    the fortnight after this week. Done: complete, most recent due first."""
    sunday = week_start(today) + timedelta(days=6)
    fortnight_end = sunday + timedelta(days=14)
    work = MyWork()
    for m in sorted(milestones, key=lambda m: (m.due, m.ref)):
        if m.status == MilestoneStatus.COMPLETE:
            work.done.append(m)
        elif m.due < today:
            work.overdue.append(m)
        elif m.due <= sunday:
            work.this_week.append(m)
        elif m.due <= fortnight_end:
            work.next_two_weeks.append(m)
        else:
            work.later.append(m)
    work.done.reverse()
    return work
