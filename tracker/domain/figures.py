"""What the board reads: milestone selections, workstream figures and the burn-up.

Plain data in (the scheduling engine's ``MilestoneForecast``), plain data out. The web pages,
the digest and the API all take their numbers from here, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.risks import DEFAULT_BANDS, Band, band_for
from tracker.domain.text import listed
from tracker.domain.validation import PLAUSIBLE_DATES
from tracker.scheduling import MilestoneForecast, ProgrammeForecast

DUE_SOON_DAYS = 14  # "due in the next two weeks", in calendar days after today
UPCOMING_KEY_COUNT = 8

SORTS = {
    "due": lambda m: (m.due, m.ref),
    "forecast": lambda m: (m.forecast_due, m.ref),
    "float": lambda m: (m.total_float, m.forecast_due, m.ref),
    "ref": lambda m: (m.workstream, _ref_number(m.ref), m.ref),
    "workstream": lambda m: (m.workstream, m.due, m.ref),
    "status": lambda m: (m.status, m.due, m.ref),
    "rag": lambda m: (("red", "amber", "green", "blue").index(m.rag), m.due, m.ref),
    "slip": lambda m: (-m.slip_days, m.due, m.ref),
}


def _ref_number(ref: str) -> int:
    digits = ref.rpartition("-")[2]
    return int(digits) if digits.isdigit() else 0


def on_critical_path(m: MilestoneForecast) -> bool:
    """Open and either critical (float 0 or less) or on the driving path into go-live.

    With slack in hand nothing has float 0 or less, yet the board still asks "what is the
    critical path?": the answer is the driving path. So the filter and the count include
    both, everywhere (dashboard, list, Gantt, digest).
    """
    return m.status != "complete" and (m.critical or m.on_driving_path)


def is_late(m: MilestoneForecast) -> bool:
    """Overdue, or forecast to finish after its due date."""
    return m.status != "complete" and (m.overdue or m.forecast_due > m.due)


def after_go_live_warning(forecast: ProgrammeForecast) -> str | None:
    """The headline's warning when open milestones are forecast after the go-live target and
    go-live does not wait for them (ProgrammeForecast.after_go_live): go-live's own forecast
    cannot see them, so the board must be told. None when there are none."""
    refs = forecast.after_go_live
    if not refs:
        return None
    n = len(refs)
    one = n == 1
    named = listed(refs, limit=3)
    subject = f"{n} milestone{'' if one else 's'}, {named}, {'is' if one else 'are'}"
    if all(r in forecast.feeds_nothing for r in refs):
        why = "feeds nothing" if one else "feed nothing"
    else:
        why = "go-live does not wait for " + ("it" if one else "them")
    return f"{subject} forecast after go-live and {why}: check {'its' if one else 'their'} links"


@dataclass(frozen=True)
class MilestoneFilter:
    """A selection of milestones; every field is optional and they combine with AND.

    ``workstreams`` and ``refs`` are resolved by the caller (say, from "workstreams this
    person leads" or "milestones this person owns"); None means no restriction.
    """

    workstreams: frozenset[str] | None = None
    refs: frozenset[str] | None = None
    status: str | None = None
    rag: str | None = None
    critical: bool = False
    late: bool = False
    overdue: bool = False
    key: bool = False
    incomplete: bool = False
    due_from: date | None = None
    due_to: date | None = None

    def matches(self, m: MilestoneForecast) -> bool:
        return (
            (self.workstreams is None or m.workstream in self.workstreams)
            and (self.refs is None or m.ref in self.refs)
            and (self.status is None or m.status == self.status)
            and (self.rag is None or m.rag == self.rag)
            and (not self.critical or on_critical_path(m))
            and (not self.late or is_late(m))
            and (not self.overdue or m.overdue)
            and (not self.key or m.is_key)
            and (not self.incomplete or m.status != "complete")
            and (self.due_from is None or m.due >= self.due_from)
            and (self.due_to is None or m.due <= self.due_to)
        )


def select_milestones(
    milestones: Iterable[MilestoneForecast],
    selection: MilestoneFilter = MilestoneFilter(),  # noqa: B008  # frozen
    sort: str = "due",
    descending: bool = False,
) -> list[MilestoneForecast]:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
    chosen = [m for m in milestones if selection.matches(m)]
    return sorted(chosen, key=SORTS[sort], reverse=descending)


@dataclass(frozen=True)
class Progress:
    total: int
    complete: int
    due_to_date: int  # due on or before today
    complete_of_due_to_date: int
    overdue: int
    due_soon: int
    late: int
    critical: int

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 0

    @property
    def percent_of_plan_to_date(self) -> int:
        if not self.due_to_date:
            return 100
        return round(100 * self.complete_of_due_to_date / self.due_to_date)


def progress(milestones: Sequence[MilestoneForecast], today: date) -> Progress:
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due_to_date = [m for m in milestones if m.due <= today]
    return Progress(
        total=len(milestones),
        complete=sum(m.status == "complete" for m in milestones),
        due_to_date=len(due_to_date),
        complete_of_due_to_date=sum(m.status == "complete" for m in due_to_date),
        overdue=sum(m.overdue for m in milestones),
        due_soon=sum(m.status != "complete" and today < m.due <= soon for m in milestones),
        late=sum(is_late(m) for m in milestones),
        critical=sum(on_critical_path(m) for m in milestones),
    )


def overdue(milestones: Iterable[MilestoneForecast]) -> list[MilestoneForecast]:
    return select_milestones(milestones, MilestoneFilter(overdue=True))


def due_soon(milestones: Iterable[MilestoneForecast], today: date) -> list[MilestoneForecast]:
    window = MilestoneFilter(
        incomplete=True,
        due_from=today + timedelta(days=1),
        due_to=today + timedelta(days=DUE_SOON_DAYS),
    )
    return select_milestones(milestones, window)


def upcoming_key(
    milestones: Iterable[MilestoneForecast], today: date, count: int = UPCOMING_KEY_COUNT
) -> list[MilestoneForecast]:
    ahead = MilestoneFilter(key=True, incomplete=True, due_from=today + timedelta(days=1))
    return select_milestones(milestones, ahead)[:count]


@dataclass(frozen=True)
class WorkstreamFigures:
    code: str
    total: int
    complete: int
    overdue: int
    schedule_rag: str | None
    next_milestone: MilestoneForecast | None  # the incomplete one due soonest
    least_float: MilestoneForecast | None  # the incomplete one with least float

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 0


def workstream_figures(
    codes: Iterable[str], milestones: Iterable[MilestoneForecast], rags: dict[str, str]
) -> dict[str, WorkstreamFigures]:
    grouped: dict[str, list[MilestoneForecast]] = {code: [] for code in codes}
    for m in milestones:
        grouped.setdefault(m.workstream, []).append(m)
    figures = {}
    for code, items in grouped.items():
        open_items = [m for m in items if m.status != "complete"]
        figures[code] = WorkstreamFigures(
            code=code,
            total=len(items),
            complete=len(items) - len(open_items),
            overdue=sum(m.overdue for m in items),
            schedule_rag=rags.get(code),
            next_milestone=min(open_items, key=SORTS["due"], default=None),
            least_float=min(open_items, key=SORTS["float"], default=None),
        )
    return figures


@dataclass(frozen=True)
class BurnUp:
    """Cumulative milestone completions, week by week (each point is a week's Friday)."""

    weeks: list[date]
    planned: list[int]  # due on or before that week, in the current plan
    baseline: list[int] | None  # due in the current baseline (None without a baseline)
    actual: list[int | None]  # completed by then; None after today
    forecast: list[int | None]  # forecast complete by then; None before today
    total: int
    today: date

    def rows(self) -> list[tuple[date, int, int | None, int | None, int | None]]:
        """The chart's data as table rows: week, planned, baseline, actual, forecast."""
        baseline: list[int | None] = [None] * len(self.weeks)
        if self.baseline is not None:
            baseline = list(self.baseline)
        return list(
            zip(self.weeks, self.planned, baseline, self.actual, self.forecast, strict=True)
        )


def burn_up(
    milestones: Sequence[MilestoneForecast],
    baseline_due: dict[str, date | None] | None,
    *,
    start: date,
    today: date,
) -> BurnUp:
    """Weekly cumulative counts from the programme start to the last due or forecast date."""
    if not milestones:
        return BurnUp([], [], None, [], [], 0, today)
    # Within the tracker's window whatever was stored: the weeks are the chart's rows.
    start = PLAUSIBLE_DATES.clamp(start)
    last = PLAUSIBLE_DATES.clamp(max(max(m.due, m.forecast_due) for m in milestones))
    first_friday = start + timedelta(days=(4 - start.weekday()) % 7)
    weeks = []
    week = first_friday
    while week < last + timedelta(days=7):
        weeks.append(week)
        week += timedelta(days=7)

    def cumulative(dates: Iterable[date]) -> list[int]:
        ordered = sorted(dates)
        counts, k = [], 0
        for week_end in weeks:
            while k < len(ordered) and ordered[k] <= week_end:
                k += 1
            counts.append(k)
        return counts

    done = [m.forecast_due for m in milestones if m.status == "complete"]
    actual_all = cumulative(done)
    forecast_all = cumulative(m.forecast_due for m in milestones)
    # The week holding today joins the two lines, so the forecast starts where actual ends.
    actual = [
        n if w - timedelta(days=6) <= today else None
        for w, n in zip(weeks, actual_all, strict=True)
    ]
    forecast = [
        max(n, a) if w >= today else None
        for w, n, a in zip(weeks, forecast_all, actual_all, strict=True)
    ]
    baseline = None
    if baseline_due is not None:
        baseline = cumulative(d for d in baseline_due.values() if d is not None)
    return BurnUp(
        weeks=weeks,
        planned=cumulative(m.due for m in milestones),
        baseline=baseline,
        actual=actual,
        forecast=forecast,
        total=len(milestones),
        today=today,
    )


@dataclass(frozen=True)
class RiskLine:
    """A risk as the dashboard lists it."""

    id: int
    ref: str
    title: str
    owner: str
    workstream: str | None
    score: int
    target_score: int
    band: str
    review_on: date | None
    review_overdue: bool
    rag: str = ""  # the band's colour on the RAG scale (RISK_BANDS): "red", "amber", ...


def risk_band(score: int, bands: Iterable[Band] = DEFAULT_BANDS) -> str:
    """The band's name for a score (tracker/domain/risks.py holds the bands)."""
    return band_for(score, bands).name
