"""WorkingCalendar: weekends, bank holidays of each UK nation, closures, offsets both ways."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scheduling.calendar import WorkingCalendar

ORIGIN = date(2022, 4, 1)  # a Friday
CAL = WorkingCalendar(ORIGIN)
CAL_HOLIDAYS = set(holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2028)))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2022, 4, 1), True),  # Friday
        (date(2022, 4, 2), False),  # Saturday
        (date(2022, 4, 3), False),  # Sunday
        (date(2022, 4, 15), False),  # Good Friday
        (date(2022, 4, 18), False),  # Easter Monday (England and Wales)
        (date(2022, 5, 2), False),  # Early May bank holiday
        (date(2022, 6, 1), True),
        (date(2022, 6, 2), False),  # Spring bank holiday, moved for the Jubilee
        (date(2022, 6, 3), False),  # Platinum Jubilee
        (date(2022, 6, 6), True),
        (date(2022, 7, 1), True),  # ICB go-live
        (date(2022, 9, 19), False),  # State Funeral of Queen Elizabeth II
        (date(2022, 12, 23), True),
        (date(2022, 12, 26), False),  # Boxing Day
        (date(2022, 12, 27), False),  # Christmas Day (substitute day)
        (date(2022, 12, 28), True),
        (date(2023, 1, 2), False),  # New Year's Day (substitute day)
        (date(2023, 1, 3), True),
        (date(2023, 5, 8), False),  # Coronation of Charles III
        (date(2023, 5, 9), True),
    ],
)
def test_working_days_england(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_regions_differ() -> None:
    sct = WorkingCalendar(ORIGIN, region="SCT")
    nir = WorkingCalendar(ORIGIN, region="NIR")
    wls = WorkingCalendar(ORIGIN, region="WLS")
    assert not sct.is_working_day(date(2022, 11, 30))  # St Andrew's Day
    assert not sct.is_working_day(date(2023, 1, 3))  # 2 January holiday, substituted
    assert sct.is_working_day(date(2022, 4, 18))  # no Easter Monday in Scotland
    assert not nir.is_working_day(date(2022, 3, 17))  # St Patrick's Day
    assert not nir.is_working_day(date(2022, 7, 12))  # Battle of the Boyne
    assert CAL.is_working_day(date(2022, 7, 12))
    assert not wls.is_working_day(date(2022, 9, 19))
    assert wls.is_working_day(date(2022, 11, 30))


def test_unknown_region() -> None:
    with pytest.raises(ValueError, match=r"unknown region 'XX' \(expected ENG, WLS, SCT or NIR\)"):
        WorkingCalendar(ORIGIN, region="XX")


def test_offsets_around_the_origin() -> None:
    # Working day 0 is Friday 1 April; Monday 4 April is 1; Thursday 31 March is -1.
    assert CAL.start_offset(date(2022, 4, 1)) == 0
    assert CAL.finish_offset(date(2022, 4, 1)) == 1
    assert CAL.start_offset(date(2022, 4, 4)) == 1
    assert CAL.start_offset(date(2022, 3, 31)) == -1
    assert CAL.finish_offset(date(2022, 3, 31)) == 0
    assert CAL.start_offset(date(2022, 3, 25)) == -5
    assert CAL.start_date(-1) == date(2022, 3, 31)
    assert CAL.start_date(-5) == date(2022, 3, 25)
    assert CAL.finish_date(0) == date(2022, 3, 31)
    assert CAL.finish_date(1) == date(2022, 4, 1)


def test_origin_on_a_weekend_counts_from_the_next_working_day() -> None:
    cal = WorkingCalendar(date(2022, 4, 2))  # Saturday
    assert cal.start_date(0) == date(2022, 4, 4)  # Monday
    assert cal.start_offset(date(2022, 4, 2)) == 0
    assert cal.finish_offset(date(2022, 4, 2)) == 0  # end of Friday = finish offset 0
    assert cal.start_date(-1) == date(2022, 4, 1)


def test_week_activity_example() -> None:
    # Monday 4 April to Friday 8 April 2022: duration 5, es = s, ef = s + 5.
    s = CAL.start_offset(date(2022, 4, 4))
    assert CAL.duration(date(2022, 4, 4), date(2022, 4, 8)) == 5
    assert CAL.finish_offset(date(2022, 4, 8)) == s + 5
    assert CAL.finish_date(s + 5) == date(2022, 4, 8)


def test_point_milestone_convention() -> None:
    # A point due on Friday 1 July 2022 has es = ef = index + 1 and shows as 1 July.
    index = CAL.start_offset(date(2022, 7, 1))
    assert index == 60
    assert CAL.finish_offset(date(2022, 7, 1)) == index + 1
    assert CAL.finish_date(index + 1) == date(2022, 7, 1)


def test_non_working_days_snap_forward_for_starts_and_back_for_finishes() -> None:
    # 2 and 3 June 2022 are bank holidays: a start moves to Monday 6 June, a finish to the
    # end of Wednesday 1 June.
    for d in (date(2022, 6, 2), date(2022, 6, 3), date(2022, 6, 4), date(2022, 6, 5)):
        assert CAL.start_date(CAL.start_offset(d)) == date(2022, 6, 6)
        assert CAL.finish_date(CAL.finish_offset(d)) == date(2022, 6, 1)
    assert CAL.start_date(CAL.start_offset(date(2022, 9, 19))) == date(2022, 9, 20)
    assert CAL.finish_date(CAL.finish_offset(date(2022, 9, 19))) == date(2022, 9, 16)


def test_durations_across_bank_holidays() -> None:
    assert CAL.duration(date(2022, 5, 30), date(2022, 6, 10)) == 8  # not 2 and 3 June
    assert CAL.duration(date(2022, 9, 12), date(2022, 9, 23)) == 9  # not 19 September
    # 19 Dec 2022 to 6 Jan 2023: 19-23 Dec, 28-30 Dec, 3-6 Jan (not 26, 27 Dec, 2 Jan).
    assert CAL.duration(date(2022, 12, 19), date(2023, 1, 6)) == 12
    assert CAL.duration(date(2023, 5, 2), date(2023, 5, 12)) == 8  # not 8 May 2023
    assert CAL.duration(date(2022, 6, 1), date(2022, 6, 1)) == 1
    assert CAL.duration(date(2022, 6, 4), date(2022, 6, 5)) == 0  # a weekend
    with pytest.raises(ValueError, match="before start"):
        CAL.duration(date(2022, 6, 2), date(2022, 6, 1))


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2022, 6, 1), date(2022, 6, 6)) == 1
    assert CAL.working_days_between(date(2022, 6, 6), date(2022, 6, 1)) == -1
    assert CAL.working_days_between(date(2022, 6, 1), date(2022, 6, 1)) == 0
    assert CAL.working_days_between(date(2022, 12, 23), date(2023, 1, 3)) == 4
    assert CAL.working_days_between(date(2022, 9, 16), date(2022, 9, 20)) == 1
    assert CAL.working_days_between(date(2023, 5, 5), date(2023, 5, 9)) == 1
    # Count from 16 May 2022 to go-live on 1 July 2022: 33 working days less 2 and 3 June.
    assert CAL.working_days_between(date(2022, 5, 16), date(2022, 7, 1)) == 32


def test_next_working_day_and_adding_days() -> None:
    assert CAL.next_working_day(date(2022, 6, 1)) == date(2022, 6, 6)
    assert CAL.next_working_day(date(2022, 9, 16)) == date(2022, 9, 20)
    assert CAL.next_working_day(date(2022, 12, 23)) == date(2022, 12, 28)
    assert CAL.next_working_day(date(2022, 12, 30)) == date(2023, 1, 3)
    assert CAL.next_working_day(date(2023, 5, 5)) == date(2023, 5, 9)
    assert CAL.next_working_day(date(2022, 6, 4)) == date(2022, 6, 6)  # from a Saturday
    assert CAL.previous_working_day(date(2022, 6, 6)) == date(2022, 6, 1)
    assert CAL.previous_working_day(date(2023, 1, 3)) == date(2022, 12, 30)
    assert CAL.add_working_days(date(2022, 12, 23), 3) == date(2022, 12, 30)
    assert CAL.add_working_days(date(2022, 12, 23), 4) == date(2023, 1, 3)
    assert CAL.add_working_days(date(2023, 1, 3), -4) == date(2022, 12, 23)
    assert CAL.add_working_days(date(2022, 6, 4), 0) == date(2022, 6, 4)
    assert CAL.add_working_days(date(2022, 6, 4), -1) == date(2022, 6, 1)  # from a Saturday


def test_closures_remove_extra_days() -> None:
    shutdown = [date(2022, 12, 28), date(2022, 12, 29), date(2022, 12, 30)]
    cal = WorkingCalendar(ORIGIN, closures=shutdown)
    assert not cal.is_working_day(date(2022, 12, 29))
    assert cal.next_working_day(date(2022, 12, 23)) == date(2023, 1, 3)
    assert cal.working_days_between(date(2022, 12, 23), date(2023, 1, 3)) == 1
    assert cal.duration(date(2022, 12, 19), date(2023, 1, 6)) == 9
    # Closures falling on a weekend or bank holiday change nothing.
    same = WorkingCalendar(ORIGIN, closures=[date(2022, 12, 24), date(2022, 12, 26)])
    assert same.duration(date(2022, 12, 19), date(2023, 1, 6)) == 12


def test_working_days_list() -> None:
    assert CAL.working_days(date(2022, 5, 30), date(2022, 6, 7)) == [
        date(2022, 5, 30),
        date(2022, 5, 31),
        date(2022, 6, 1),
        date(2022, 6, 6),
        date(2022, 6, 7),
    ]


def test_table_grows_both_ways() -> None:
    cal = WorkingCalendar(ORIGIN)
    far = cal.start_date(2000)  # about eight years on
    assert far.year == 2030 and cal.is_working_day(far)
    assert cal.start_offset(far) == 2000
    past = cal.start_date(-2000)
    assert past.year == 2014 and cal.start_offset(past) == -2000
    assert not cal.is_working_day(date(2012, 6, 4))  # Diamond Jubilee, found on demand
    assert not cal.is_working_day(date(2040, 12, 25))


WIDE = st.dates(date(2018, 1, 1), date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(WIDE)
def test_round_trips(d: date) -> None:
    s = CAL.start_offset(d)
    f = CAL.finish_offset(d)
    assert CAL.start_offset(CAL.start_date(s)) == s
    assert CAL.finish_offset(CAL.finish_date(f)) == f
    if CAL.is_working_day(d):
        assert CAL.start_date(s) == d and CAL.finish_date(f) == d and f == s + 1
    else:
        assert f == s  # no working day in between
        assert CAL.start_date(s) > d > CAL.finish_date(f)
        assert d.weekday() >= 5 or d in CAL_HOLIDAYS


@settings(max_examples=300, deadline=None)
@given(WIDE, st.integers(-400, 400))
def test_add_and_count_agree(d: date, n: int) -> None:
    if CAL.is_working_day(d):
        assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n
    target = CAL.add_working_days(d, n)
    assert n == 0 or CAL.is_working_day(target)


@settings(max_examples=200, deadline=None)
@given(WIDE, WIDE)
def test_count_matches_brute_force(a: date, b: date) -> None:
    lo, hi = sorted((a, b))
    count = sum(
        1 for k in range(1, (hi - lo).days + 1) if CAL.is_working_day(lo + timedelta(days=k))
    )
    assert CAL.working_days_between(a, b) == (count if b >= a else -count)
