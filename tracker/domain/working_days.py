"""What the tracker does with a date that is not a working day, in a sentence.

A legal go-live date may fall on a weekend or bank holiday (1 April 2023 was a Saturday), so
it is never refused; the working-day calendar measures to the end of the last working day
before it (WorkingCalendar.finish_offset), and every page that sets or shows the target says
so in these words. docs/scheduling.md, "Dates on non-working days".
"""

from __future__ import annotations

from datetime import date

from tracker.domain.validation import format_date
from tracker.scheduling.calendar import WorkingCalendar


def day_words(day: date) -> str:
    """ "Friday 31 March 2023"."""
    return f"{day:%A} {format_date(day)}"


def go_live_day_note(calendar: WorkingCalendar, target: date | None) -> str | None:
    """ "1 April 2023 is a Saturday: the tracker measures to the last working day before it,
    Friday 31 March 2023." None when `target` is a working day (or not given)."""
    if target is None:
        return None
    reason = calendar.non_working_reason(target)
    if reason is None:
        return None
    before = calendar.previous_working_day(target)
    return (
        f"{format_date(target)} is {reason}: the tracker measures to the last working day "
        f"before it, {day_words(before)}."
    )
