"""Working-day calendar: Monday to Friday, less UK bank holidays and extra closure days.

Offsets count working days from ``origin`` (see docs/scheduling.md):

* a START offset ``s`` is the morning of working day number ``s``, where working day 0 is
  the first working day on or after ``origin`` (negative numbers count back before it);
* a FINISH offset ``f`` is the end of working day number ``f - 1``.

So an activity from Monday 4 April 2022 to Friday 8 April 2022 has duration 5 and, if that
Monday is working day ``s``, runs from start offset ``s`` to finish offset ``s + 5``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date

import holidays

REGIONS = ("ENG", "WLS", "SCT", "NIR")
_CHUNK_DAYS = 366 * 2  # grow the table two years at a time

# The calendar's own limits, wider than any date the tracker accepts (PLAUSIBLE_DATES in
# tracker/domain/validation.py). It has no working days outside them, so a date beyond is read
# as the limit: a bad date that got past the rules cannot grow the table out to the year 9999,
# or past it ("year 10000 is out of range"). docs/scheduling.md, "The date window".
EARLIEST = date(1950, 1, 1)
LATEST = date(2150, 12, 31)
_FIRST, _STOP = EARLIEST.toordinal(), LATEST.toordinal() + 1


class WorkingCalendar:
    """Working days of one UK nation, with date <-> offset conversion by binary search.

    The table of working days (as ordinals) covers a window of dates that grows on demand
    in either direction, up to EARLIEST and LATEST, so any date or offset can be converted: a
    date beyond the limits has the offset of the limit, an offset beyond them the date of the
    first or last working day within them.
    """

    def __init__(self, origin: date, region: str = "ENG", closures: Iterable[date] = ()) -> None:
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r} (expected ENG, WLS, SCT or NIR)")
        self.origin = origin
        self.region = region
        self.closures = frozenset(closures)
        self._closed = {d.toordinal() for d in self.closures}
        self._holiday_years: set[int] = set()
        self._holidays: set[int] = set()
        self._holiday_names: dict[int, str] = {}
        # Working-day ordinals in [self._lo, self._hi), sorted.
        self._lo = self._hi = _bounded(origin.toordinal())
        self._days: list[int] = []
        self._base = 0  # index in _days of working day 0
        # Offsets of dates already asked for: a plan asks for the same few hundred days
        # thousands of times. An offset never changes as the table grows (_base moves too),
        # and a memo entry is always the same value, so filling it from two threads is safe.
        self._starts: dict[date, int] = {}
        self._finishes: dict[date, int] = {}
        self._dates: dict[int, date] = {}  # working day number -> its date
        self._cover(self._lo - _CHUNK_DAYS // 2, self._hi + _CHUNK_DAYS)

    # -- table maintenance ---------------------------------------------------------------

    def _load_holidays(self, years: set[int]) -> None:
        missing = years - self._holiday_years
        if missing:
            table = holidays.country_holidays("GB", subdiv=self.region, years=sorted(missing))
            self._holidays.update(d.toordinal() for d in table)
            self._holiday_names.update((d.toordinal(), name) for d, name in table.items())
            self._holiday_years |= missing

    def _non_working(self, first: int, last: int) -> set[int]:
        self._load_holidays(
            set(range(date.fromordinal(first).year, date.fromordinal(last).year + 1))
        )
        return self._holidays | self._closed

    def _working_in(self, first: int, stop: int) -> list[int]:
        if first >= stop:
            return []
        off = self._non_working(first, stop - 1)
        # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday (0 = Monday).
        return [o for o in range(first, stop) if (o - 1) % 7 < 5 and o not in off]

    def _cover(self, lo: int, hi: int) -> None:
        """Extend the table so it covers the ordinals [lo, hi), within the limits."""
        lo, hi = _bounded(lo), _bounded(hi)
        if lo < self._lo:
            before = self._working_in(lo, self._lo)
            self._days[:0] = before
            self._base += len(before)
            self._lo = lo
        if hi > self._hi:
            self._days.extend(self._working_in(self._hi, hi))
            self._hi = hi

    def _cover_date(self, d: date) -> int:
        """The ordinal of ``d`` read within the limits, with the table covering it.

        The table holds every working day in [_lo, _hi), so bisecting it is exact for any
        ordinal inside that window (and, there being no working days beyond the limits, for
        any ordinal at all once the table reaches the limit)."""
        ordinal = d.toordinal()
        if ordinal < self._lo:
            self._cover(ordinal - _CHUNK_DAYS, self._hi)
        if ordinal >= self._hi:
            self._cover(self._lo, ordinal + _CHUNK_DAYS)
        return ordinal

    def _cover_index(self, i: int) -> int:
        """Make working day number ``i`` (relative to origin) present in the table; the index
        in the table of it, or of the nearest working day within the limits."""
        while self._base + i < 0 and self._lo > _FIRST:
            self._cover(self._lo - _CHUNK_DAYS, self._hi)
        while self._base + i >= len(self._days) and self._hi < _STOP:
            self._cover(self._lo, self._hi + _CHUNK_DAYS)
        if not self._days:  # only a calendar closed on every day within the limits
            raise ValueError("the calendar has no working days")
        return min(max(self._base + i, 0), len(self._days) - 1)

    # -- public API ----------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        o = self._cover_date(d)
        i = bisect_left(self._days, o)
        return i < len(self._days) and self._days[i] == o

    def holiday_name(self, d: date) -> str | None:
        """The bank holiday on ``d`` as the ``holidays`` package names it ("Platinum Jubilee
        of Elizabeth II"), or None."""
        self._load_holidays({d.year})
        return self._holiday_names.get(d.toordinal())

    def non_working_reason(self, d: date) -> str | None:
        """Why ``d`` is not a working day, in words: "a Saturday", "a bank holiday (Good
        Friday)", "a day the programme is closed"; None for a working day."""
        if self.is_working_day(d):
            return None
        if d.weekday() >= 5:
            return f"a {d:%A}"
        name = self.holiday_name(d)
        if name is not None:
            return f"a bank holiday ({name})"
        if d in self.closures:
            return "a day the programme is closed"
        return "outside the calendar's years"

    def start_offset(self, d: date) -> int:
        """Start offset of a task starting on ``d``; a non-working ``d`` starts on the next
        working day."""
        found = self._starts.get(d)
        if found is None:
            o = self._cover_date(d)
            found = self._starts[d] = bisect_left(self._days, o) - self._base
        return found

    def finish_offset(self, d: date) -> int:
        """Finish offset of a task finishing on ``d`` (end of that day); a non-working ``d``
        means the end of the previous working day."""
        found = self._finishes.get(d)
        if found is None:
            o = self._cover_date(d)
            found = self._finishes[d] = bisect_right(self._days, o) - self._base
        return found

    def start_date(self, offset: int) -> date:
        """The working day whose morning is start offset ``offset``."""
        return self._dates.get(offset) or self._date(offset)

    def finish_date(self, offset: int) -> date:
        """The working day whose end is finish offset ``offset`` (working day offset - 1)."""
        return self._dates.get(offset - 1) or self._date(offset - 1)

    def _date(self, i: int) -> date:
        found = self._dates[i] = date.fromordinal(self._days[self._cover_index(i)])
        return found

    def duration(self, start: date, due: date) -> int:
        """Working days from ``start`` to ``due``, both inclusive (a point milestone's
        duration is 0: that is the caller's choice, not this function's)."""
        if due < start:
            raise ValueError(f"due date {due.isoformat()} is before start {start.isoformat()}")
        return max(0, self.finish_offset(due) - self.start_offset(start))

    def working_days_between(self, a: date, b: date) -> int:
        """Signed count of working days after ``a`` up to and including ``b`` (so the next
        working day after ``a`` is 1); negative when ``b`` is before ``a``."""
        return self.finish_offset(b) - self.finish_offset(a)

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (before it when ``n`` < 0); ``d`` itself for
        0. For a working day ``d``, ``working_days_between(d, result) == n``."""
        if n == 0:
            return d
        if n > 0:
            return self.start_date(self.finish_offset(d) + n - 1)
        return self.start_date(self.start_offset(d) + n)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self.add_working_days(d, -1)

    def working_days(self, first: date, last: date) -> list[date]:
        """Every working day from ``first`` to ``last`` inclusive."""
        a = self.start_offset(first)
        b = self.finish_offset(last)
        return [self.start_date(i) for i in range(a, b)]

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(origin={self.origin!r}, region={self.region!r}, "
            f"closures={len(self.closures)} days)"
        )


def _bounded(ordinal: int) -> int:
    return min(max(ordinal, _FIRST), _STOP)
