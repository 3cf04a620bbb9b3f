"""Moving go-live with the plan: when the legal date moves (24 December 2021: from 1 April to
1 July 2022), every open milestone, or those due after a chosen date, moves by the same
number of working days as go-live.

Plain data in and out, over the working-day calendar (tracker/scheduling/calendar.py), so the
preview, the change and the tests share one rule and its words.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.domain.validation import (
    DateWindow,
    FieldError,
    check_date_in_window,
    check_text,
    format_date,
)
from tracker.scheduling.calendar import WorkingCalendar


class Scope(StrEnum):
    """Which open milestones move with go-live."""

    NONE = "no"  # only the go-live date
    ALL = "all"  # every open milestone
    DUE_AFTER = "after"  # open milestones due after a chosen date


@dataclass(frozen=True)
class MilestoneDates:
    """One milestone's dates as the plan holds them."""

    ref: str
    planned_start: date | None  # None for a point milestone
    due_date: date
    forecast_date: date | None = None  # the lead's own forecast
    complete: bool = False


@dataclass(frozen=True)
class MovedDates:
    """A milestone that moves: its dates before and after."""

    ref: str
    old_start: date | None
    new_start: date | None
    old_due: date
    new_due: date
    old_forecast: date | None
    new_forecast: date | None


@dataclass(frozen=True)
class GoLiveMove:
    """What moving go-live from `old_go_live` to `new_go_live` does to the plan."""

    old_go_live: date
    new_go_live: date
    shift: int  # working days; negative when go-live comes earlier
    only_after: date | None  # None: every open milestone
    moves: tuple[MovedDates, ...]
    complete: tuple[str, ...]  # refs that stay: complete milestones never move
    due_earlier: tuple[str, ...]  # refs that stay: due on or before `only_after`

    def moved(self, ref: str) -> MovedDates | None:
        return next((m for m in self.moves if m.ref == ref), None)


def working_day_shift(calendar: WorkingCalendar, old: date, new: date) -> int:
    """New go-live minus old, counted in working days (negative when it comes earlier)."""
    return calendar.working_days_between(old, new)


def shift_date(calendar: WorkingCalendar, value: date, shift: int) -> date:
    """`value` moved `shift` working days. A date on a non-working day lands on the working
    day that many working days on (a Saturday moved 1 later is the Monday)."""
    return calendar.add_working_days(value, shift)


def _shift(calendar: WorkingCalendar, value: date | None, shift: int) -> date | None:
    return None if value is None else shift_date(calendar, value, shift)


def plan_move(
    milestones: Iterable[MilestoneDates],
    *,
    old_go_live: date,
    new_go_live: date,
    calendar: WorkingCalendar,
    only_after: date | None = None,
) -> GoLiveMove:
    """Each open milestone (due after `only_after`, when given) moved by the working days
    go-live moves. A point stays a point (no start); the lead's forecast moves too; a
    complete milestone never moves."""
    shift = working_day_shift(calendar, old_go_live, new_go_live)
    moves: list[MovedDates] = []
    complete: list[str] = []
    due_earlier: list[str] = []
    for m in milestones:
        if m.complete:
            complete.append(m.ref)
        elif only_after is not None and m.due_date <= only_after:
            due_earlier.append(m.ref)
        elif shift:
            moves.append(
                MovedDates(
                    ref=m.ref,
                    old_start=m.planned_start,
                    new_start=_shift(calendar, m.planned_start, shift),
                    old_due=m.due_date,
                    new_due=shift_date(calendar, m.due_date, shift),
                    old_forecast=m.forecast_date,
                    new_forecast=_shift(calendar, m.forecast_date, shift),
                )
            )
    return GoLiveMove(
        old_go_live=old_go_live,
        new_go_live=new_go_live,
        shift=shift,
        only_after=only_after,
        moves=tuple(moves),
        complete=tuple(complete),
        due_earlier=tuple(due_earlier),
    )


def days_words(n: int) -> str:
    """'1 working day', '60 working days'."""
    return f"{n} working day" + ("" if abs(n) == 1 else "s")


def shift_words(shift: int) -> str:
    """'60 working days later', '5 working days earlier', 'by 0 working days'."""
    if shift == 0:
        return "by 0 working days"
    return f"{days_words(abs(shift))} {'later' if shift > 0 else 'earlier'}"


def milestones_words(n: int) -> str:
    """'1 open milestone', '61 open milestones'."""
    return f"{n} open milestone" + ("" if n == 1 else "s")


def baseline_label(new_go_live: date, taken: Collection[str]) -> str:
    """The baseline taken before the move, named after it; " (2)", " (3)", ... when the
    programme already has one by that name."""
    label = f"Before go-live moved to {format_date(new_go_live)}"
    number = 1
    candidate = label
    while candidate in taken:
        number += 1
        candidate = f"{label} ({number})"
    return candidate


def done_message(move: GoLiveMove, label: str) -> str:
    """What the programme office is told once the move is saved."""
    moved = len(move.moves)
    if moved:
        milestones = f"{milestones_words(moved)} moved {shift_words(move.shift)}"
    else:
        milestones = "no open milestone moved"
    return (
        f"Go-live moved to {format_date(move.new_go_live)}; {milestones}; baseline “{label}” taken."
    )


def check_new_go_live(
    new_go_live: date | None, current: date, window: DateWindow, reason: str | None
) -> list[FieldError]:
    """The new go-live date and why it moved: the words services/plan.py change_go_live
    says when it saves, shown before the preview so confirming is not refused for them."""
    errors: list[FieldError] = []
    if new_go_live is None:
        errors.append(FieldError("target_date", "Enter the new go-live date"))
    elif new_go_live not in window:
        errors += check_date_in_window("target_date", new_go_live, window)
    elif new_go_live == current:
        errors.append(FieldError("target_date", f"Go-live is already {format_date(current)}"))
    if not (reason and reason.strip()):
        errors.append(
            FieldError("reason", "Say why go-live has moved, like the letter or decision")
        )
    return errors + check_text("reason", reason)


CHOOSE_SCOPE = "Choose whether open milestones move with go-live"


def check_scope(
    scope: str | None, only_after: date | None, window: DateWindow, *, moving: bool = False
) -> list[FieldError]:
    """Which milestones move: a choice (one that moves some, when `moving`), and for "due
    after", the date."""
    choices = {s.value for s in Scope} - ({Scope.NONE.value} if moving else set())
    if scope not in choices:
        return [FieldError("scope", CHOOSE_SCOPE)]
    if scope != Scope.DUE_AFTER:
        return []
    if only_after is None:
        return [
            FieldError(
                "only_after",
                "Enter the date: open milestones due after it move with go-live",
            )
        ]
    return check_date_in_window("only_after", only_after, window, what="date")


# The milestone fields a move changes, and the field each is called on a milestone's form.
MOVED_FIELDS = ("planned_start", "due_date", "forecast_date")


def moved_date_problem(ref: str, title: str, error: FieldError) -> FieldError:
    """A moved milestone's date the plan's rules refuse, named by the milestone, on the
    go-live date that caused it."""
    return FieldError("target_date", f"This would move {ref} {title.strip()}: {error.message}")
