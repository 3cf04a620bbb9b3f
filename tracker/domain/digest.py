"""The weekly status digest's content: the dashboard's truth for one week, personalised.

Plain data in, plain data out. The programme part is worked out once per run
(`programme_digest`), then each recipient gets their own order (`for_recipient`): a lead's
own workstreams come first. What "since the last digest" means comes from the snapshot the
previous week's digest left (`snapshot`), so a moved forecast or a risen risk score is
reported once, in the week it happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from tracker.domain import figures
from tracker.domain.figures import RiskLine
from tracker.domain.terms import MilestoneStatus
from tracker.domain.validation import format_date
from tracker.scheduling.programme_data import MilestoneForecast, ProgrammeForecast


def iso_week_start(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def parse_iso_week(text: str) -> date:
    """The Monday of an ISO week written like 2022-W14."""
    try:
        year, _, week = text.strip().upper().partition("-W")
        return iso_week_start(int(year), int(week))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not an ISO week like 2022-W14") from exc


def iso_week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Item:
    """One milestone in a list of the digest."""

    ref: str
    title: str
    workstream: str
    owner: str
    due: date
    forecast: date
    rag: str
    status: str
    is_key: bool
    note: str = ""  # why it is listed, in words: "moved from 14 April to 29 April 2022"
    mine: bool = False


@dataclass(frozen=True)
class WorkstreamLine:
    code: str
    name: str
    schedule_rag: str | None
    previous_schedule_rag: str | None
    reported_rag: str | None
    previous_reported_rag: str | None
    mine: bool = False

    @property
    def changed(self) -> bool:
        return (
            self.schedule_rag != self.previous_schedule_rag
            or self.reported_rag != self.previous_reported_rag
        )


@dataclass(frozen=True)
class RiskItem:
    ref: str
    title: str
    owner: str
    workstream: str | None
    score: int
    band: str
    note: str
    mine: bool = False


@dataclass(frozen=True)
class Headline:
    status: str  # "on track", "at risk", "off track"
    go_live_target: date
    forecast_go_live: date
    slack: int  # working days of float on the driving path into go-live
    slip_days: int  # forecast vs target, working days
    baseline_label: str | None
    baseline_slip_days: int | None
    working_days_to_go_live: int
    complete: int
    total: int
    complete_of_due_to_date: int
    due_to_date: int
    # figures.after_go_live_warning: milestones forecast after go-live that it does not wait for
    after_go_live: str | None = None
    after_go_live_count: int = 0
    plan_health: str | None = None  # plan_health.digest_line, when the caller gives one
    # services/schedule_risk.digest_line, when the caller gives one: "Chance of making ..."
    schedule_risk: str | None = None


@dataclass(frozen=True)
class Digest:
    programme: str
    slug: str
    week_start: date
    as_at: date
    headline: Headline
    completed_last_week: list[Item]
    due_next_two_weeks: list[Item]
    overdue: list[Item]
    forecast_moved: list[Item]
    workstreams: list[WorkstreamLine]
    new_risks: list[RiskItem]
    escalated_risks: list[RiskItem]
    overdue_reviews: list[RiskItem]
    first_digest: bool  # no earlier digest to compare with
    recipient: str = ""
    my_workstreams: tuple[str, ...] = field(default_factory=tuple)

    @property
    def week_label(self) -> str:
        return iso_week_label(self.week_start)

    @property
    def subject(self) -> str:
        return subject(self.week_start, self.headline)


def subject(week_start: date, headline: Headline) -> str:
    """Says the state: 'Transition status w/c 4 April 2022: go-live at risk (3 days' slack)'."""
    if headline.status == "off track":
        days = headline.slip_days
        state = (
            f"go-live off track (forecast {format_date(headline.forecast_go_live)}, "
            f"{days} working day{'s' if days != 1 else ''} late)"
        )
    else:
        slack = "1 day's slack" if headline.slack == 1 else f"{headline.slack} days' slack"
        if headline.after_go_live_count:
            n = headline.after_go_live_count
            slack += f"; {n} milestone{'' if n == 1 else 's'} forecast after go-live"
        state = f"go-live {headline.status} ({slack})"
    return f"Transition status w/c {format_date(week_start)}: {state}"


def _item(m: MilestoneForecast, note: str = "") -> Item:
    return Item(
        ref=m.ref,
        title=m.title,
        workstream=m.workstream,
        owner=m.owner,
        due=m.due,
        forecast=m.forecast_due,
        rag=m.rag,
        status=m.status,
        is_key=m.is_key,
        note=note,
    )


def _risk(r: RiskLine, note: str) -> RiskItem:
    return RiskItem(r.ref, r.title, r.owner, r.workstream, r.score, r.band, note)


def snapshot(
    forecast: ProgrammeForecast,
    reported_rags: Mapping[str, str | None],
    risks: Iterable[RiskLine],
) -> dict[str, Any]:
    """What the next digest compares with: forecasts, RAGs and risk scores, as JSON."""
    return {
        "as_at": forecast.today.isoformat(),
        "forecasts": {
            m.ref: m.forecast_due.isoformat()
            for m in forecast.milestones.values()
            if m.status != MilestoneStatus.COMPLETE
        },
        "schedule_rags": dict(forecast.workstream_rags),
        "reported_rags": dict(reported_rags),
        "risk_scores": {r.ref: r.score for r in risks},
    }


def programme_digest(
    *,
    programme: str,
    slug: str,
    week_start: date,
    forecast: ProgrammeForecast,
    baseline_label: str | None,
    workstreams: Sequence[tuple[str, str]],
    reported_rags: Mapping[str, str | None],
    previous_reported_rags: Mapping[str, str | None],
    risks: Sequence[RiskLine],
    risks_raised: dict[str, date],
    previous: dict[str, Any] | None,
) -> Digest:
    """The programme's digest for the week starting `week_start`, as at forecast.today.

    `workstreams` are (code, name) in display order; `reported_rags` are the leads' latest
    highlight RAGs by code and `previous_reported_rags` last week's (used when there is no
    earlier digest); `risks` are the open risks and `risks_raised` their raised dates;
    `previous` is the last digest's snapshot, if any.
    """
    today = forecast.today
    milestones = list(forecast.milestones.values())
    progress = figures.progress(milestones, today)
    last_week = (week_start - timedelta(days=7), week_start - timedelta(days=1))

    completed = [
        _item(m, f"completed {format_date(m.forecast_due)}")
        for m in milestones
        if m.status == MilestoneStatus.COMPLETE and last_week[0] <= m.forecast_due <= last_week[1]
    ]
    moved: list[Item] = []
    if previous is not None:
        before = {ref: date.fromisoformat(d) for ref, d in previous.get("forecasts", {}).items()}
        for m in milestones:
            was = before.get(m.ref)
            if m.status != MilestoneStatus.COMPLETE and was is not None and was != m.forecast_due:
                direction = "later" if m.forecast_due > was else "earlier"
                note = (
                    f"forecast moved {direction}: {format_date(was)} to "
                    f"{format_date(m.forecast_due)}"
                )
                moved.append(_item(m, note))
    moved.sort(key=lambda i: (-abs((i.forecast - i.due).days), i.ref))

    old_schedule = previous.get("schedule_rags", {}) if previous else dict(forecast.workstream_rags)
    old_reported = previous.get("reported_rags", {}) if previous else previous_reported_rags
    lines = [
        WorkstreamLine(
            code=code,
            name=name,
            schedule_rag=forecast.workstream_rags.get(code),
            previous_schedule_rag=old_schedule.get(code),
            reported_rag=reported_rags.get(code),
            previous_reported_rag=old_reported.get(code),
        )
        for code, name in workstreams
    ]

    old_scores: dict[str, int] = previous.get("risk_scores", {}) if previous else {}
    since = (
        date.fromisoformat(previous["as_at"])
        if previous and previous.get("as_at")
        else last_week[0]
    )
    new_risks = [
        _risk(r, f"raised {format_date(risks_raised[r.ref])}")
        for r in risks
        if r.ref in risks_raised and risks_raised[r.ref] >= since and r.ref not in old_scores
    ]
    escalated = [
        _risk(r, f"score rose from {old_scores[r.ref]} to {r.score}")
        for r in risks
        if r.ref in old_scores and r.score > old_scores[r.ref]
    ]
    reviews = [
        _risk(r, f"review was due {format_date(r.review_on)}")
        for r in risks
        if r.review_overdue and r.review_on is not None
    ]

    return Digest(
        programme=programme,
        slug=slug,
        week_start=week_start,
        as_at=today,
        headline=Headline(
            status=forecast.status,
            go_live_target=forecast.go_live_target,
            forecast_go_live=forecast.forecast_go_live,
            slack=forecast.go_live_float,
            slip_days=forecast.slip_days,
            baseline_label=baseline_label,
            baseline_slip_days=forecast.baseline_slip_days,
            working_days_to_go_live=forecast.working_days_to_go_live,
            complete=progress.complete,
            total=progress.total,
            complete_of_due_to_date=progress.complete_of_due_to_date,
            due_to_date=progress.due_to_date,
            after_go_live=figures.after_go_live_warning(forecast),
            after_go_live_count=len(forecast.after_go_live),
        ),
        completed_last_week=sorted(completed, key=lambda i: (i.forecast, i.ref)),
        # The same lists, in the same order, as the dashboard's for the same day.
        due_next_two_weeks=[_item(m) for m in figures.due_soon(milestones, today)],
        overdue=[_item(m) for m in figures.overdue(milestones)],
        forecast_moved=moved,
        workstreams=lines,
        new_risks=new_risks,
        escalated_risks=escalated,
        overdue_reviews=reviews,
        first_digest=previous is None,
    )


def for_recipient(digest: Digest, name: str, my_workstreams: Iterable[str] = ()) -> Digest:
    """The digest as one person gets it: their own workstreams first, and marked."""
    mine = tuple(my_workstreams)
    if not mine:
        return replace(digest, recipient=name)
    codes = set(mine)

    def first(items: list[Any], code: Any) -> list[Any]:
        marked = [replace(i, mine=code(i) in codes) for i in items]
        # A stable sort keeps each list's own order within "mine" and "the rest".
        return sorted(marked, key=lambda i: not i.mine)

    return replace(
        digest,
        recipient=name,
        my_workstreams=mine,
        completed_last_week=first(digest.completed_last_week, lambda i: i.workstream),
        due_next_two_weeks=first(digest.due_next_two_weeks, lambda i: i.workstream),
        overdue=first(digest.overdue, lambda i: i.workstream),
        forecast_moved=first(digest.forecast_moved, lambda i: i.workstream),
        workstreams=first(digest.workstreams, lambda w: w.code),
        new_risks=first(digest.new_risks, lambda r: r.workstream),
        escalated_risks=first(digest.escalated_risks, lambda r: r.workstream),
        overdue_reviews=first(digest.overdue_reviews, lambda r: r.workstream),
    )
