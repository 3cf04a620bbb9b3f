"""What a change to one milestone would do to the schedule, worked out before it is saved.

Pure: the plan goes in as the plain data the scheduling engine takes (`Plan`), the change as
a `PlannedMilestone` made with `dataclasses.replace` (`forecast_change`, `plan_change`), and
the engine runs again in memory. `Effect` compares the two forecasts: go-live before and
after, its float, the programme's status, the milestones that move, workstream RAG, and says
it in a sentence ("Saving this uses 2 of the 3 working days of slack before go-live").
Decisions: docs/forecast-effect.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from tracker.domain.text import listed
from tracker.scheduling import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleRules,
    WorkingCalendar,
    forecast_programme,
    long_date,
)

MOVED_SHOWN = 5  # refs named in a sentence about what else moves; the rest are counted
STATUS_ORDER = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}


@dataclass(frozen=True)
class Plan:
    """Everything the scheduling engine takes (tracker.scheduling.forecast_programme)."""

    milestones: tuple[PlannedMilestone, ...]
    dependencies: tuple[PlannedDependency, ...]
    go_live_ref: str
    go_live_target: date
    today: date
    calendar: WorkingCalendar
    baseline_go_live: date | None = None
    rules: ScheduleRules = field(default_factory=ScheduleRules)

    def milestone(self, ref: str) -> PlannedMilestone | None:
        return next((m for m in self.milestones if m.ref == ref), None)

    def with_changes(self, *changed: PlannedMilestone) -> Plan:
        """The same plan with these milestones (matched by ref) in place of the stored ones."""
        by_ref = {m.ref: m for m in changed}
        unknown = set(by_ref) - {m.ref for m in self.milestones}
        if unknown:
            raise ValueError(f"not in the plan: {', '.join(sorted(unknown))}")
        return replace(self, milestones=tuple(by_ref.get(m.ref, m) for m in self.milestones))

    def forecast(self) -> ProgrammeForecast:
        """Raises ScheduleError, as the engine does, for a plan it cannot schedule."""
        return forecast_programme(
            self.milestones,
            self.dependencies,
            go_live_ref=self.go_live_ref,
            go_live_target=self.go_live_target,
            today=self.today,
            calendar=self.calendar,
            baseline_go_live=self.baseline_go_live,
            rules=self.rules,
        )


def forecast_change(
    m: PlannedMilestone, forecast: date | None, reason: str | None = None, by: str | None = None
) -> PlannedMilestone:
    """The milestone with a lead's new forecast date."""
    return replace(m, forecast=forecast, forecast_reason=reason, forecast_by=by)


def plan_change(
    m: PlannedMilestone, *, due: date, planned_start: date | None, kind: str
) -> PlannedMilestone:
    """The milestone with the programme office's new due date, planned start and kind (a
    point in time keeps no start: the engine would ignore it)."""
    return replace(
        m, due=due, kind=kind, planned_start=planned_start if kind == "activity" else None
    )


@dataclass(frozen=True)
class Moved:
    """A milestone whose forecast moves; `days` in working days, positive when later."""

    ref: str
    title: str
    workstream: str
    before: date
    after: date
    days: int


@dataclass(frozen=True)
class RagChange:
    workstream: str
    before: str | None
    after: str | None


def _days(n: int) -> str:
    return f"{n} working day{'' if abs(n) == 1 else 's'}"


def date_span(before: date, after: date) -> str:
    """ "1 July to 20 July 2022": the first date's year only when the years differ."""
    first = long_date(before)
    if before.year == after.year:
        first = first.rsplit(" ", 1)[0]
    return f"{first} to {long_date(after)}"


def after_go_live_words(refs: Sequence[str]) -> str | None:
    """What a change that leaves milestones forecast after go-live, and feeding nothing it
    waits for, should say (None when it leaves none)."""
    if not refs:
        return None
    one = len(refs) == 1
    return (
        f"It puts {listed(refs)} after go-live, which does not wait for "
        f"{'it' if one else 'them'}: check {'its' if one else 'their'} links."
    )


@dataclass(frozen=True)
class Effect:
    """What saving a change to milestone `ref` does. Floats and slip in working days."""

    ref: str
    go_live_ref: str
    go_live_target: date
    go_live_before: date
    go_live_after: date
    slip_before: int  # forecast go-live against the target; positive = late
    slip_after: int
    float_before: int  # go-live's float: the slack before go-live moves
    float_after: int
    status_before: str  # "on track", "at risk", "off track"
    status_after: str
    milestone_before: date  # the changed milestone's own forecast finish
    milestone_after: date
    milestone_float_before: int
    milestone_float_after: int
    # The other milestones whose forecast moves (go-live aside), soonest first.
    moved: tuple[Moved, ...] = ()
    rag_changes: tuple[RagChange, ...] = ()
    # Open milestones the change puts after go-live though go-live does not wait for them.
    after_go_live_added: tuple[str, ...] = ()

    @property
    def go_live_moves(self) -> bool:
        return self.go_live_after != self.go_live_before

    @property
    def uses_slack(self) -> bool:
        """Go-live's float goes down, or go-live moves later (brought forward uses none)."""
        return self.float_after < self.float_before or self.go_live_after > self.go_live_before

    @property
    def status_worse(self) -> bool:
        return STATUS_ORDER.get(self.status_after, 0) > STATUS_ORDER.get(self.status_before, 0)

    @property
    def needs_confirming(self) -> bool:
        """Shown before saving: it uses slack, worsens the verdict or leaves a milestone
        forecast after go-live that go-live cannot see."""
        return self.uses_slack or self.status_worse or bool(self.after_go_live_added)

    @property
    def moved_refs(self) -> tuple[str, ...]:
        return tuple(m.ref for m in self.moved)

    def _slip_words(self) -> str:
        n = self.slip_after
        if n > 0:
            return f"{_days(n)} late"
        if n < 0:
            return f"{_days(-n)} before the target"
        return "on the target date"

    @property
    def sentence(self) -> str:
        """What it does to go-live, in the board's words."""
        before, after = self.float_before, self.float_after
        if self.go_live_moves:
            span = date_span(self.go_live_before, self.go_live_after)
            verb = (
                "moves go-live"
                if self.go_live_after > self.go_live_before
                else ("brings go-live forward")
            )
            return f"Saving this {verb} from {span} ({self._slip_words()})."
        if after < before:
            used = before - after
            if before > 0 and after >= 0:
                if used == before:
                    if before == 1:
                        return "Saving this uses the last working day of slack before go-live."
                    return f"Saving this uses all {_days(before)} of slack before go-live."
                return f"Saving this uses {used} of the {_days(before)} of slack before go-live."
            return f"Saving this takes go-live's float from {before} to {_days(after)}."
        if after > before:
            more = after - before
            return (
                f"Saving this gives go-live {more} more working day{'' if more == 1 else 's'} "
                f"of slack ({after} in all)."
            )
        return "Saving this has no effect on go-live."

    @property
    def milestone_sentence(self) -> str:
        """What it does to the milestone's own float: "FIN-08 has 5 working days of float;
        this uses 3"."""
        before, after = self.milestone_float_before, self.milestone_float_after
        used = before - after
        if before <= 0:
            if used < 0 and after > 0:
                return f"{self.ref} has no float; this gives it {_days(after)}."
            if used != 0:
                return f"{self.ref} has no float; this takes it from {before} to {_days(after)}."
            return f"{self.ref} has no float ({_days(before)})."
        has = f"{self.ref} has {_days(before)} of float"
        if used < 0:
            return f"{has}; this gives it {-used} more."
        if used == 0:
            return f"{has}; this uses none of it."
        if used < before:
            return f"{has}; this uses {used}."
        if used == before:
            return f"{has}; this uses all of it."
        return f"{has}; this needs {used}: all of it and {used - before} more."

    @property
    def moved_sentence(self) -> str | None:
        """ "It also moves 7 other milestones: FIN-09, FIN-10, ... and 2 more." """
        if not self.moved:
            return None
        refs = list(self.moved_refs[:MOVED_SHOWN])
        if len(self.moved) > MOVED_SHOWN:
            refs.append(f"{len(self.moved) - MOVED_SHOWN} more")
        n = len(self.moved)
        return f"It also moves {n} other milestone{'' if n == 1 else 's'}: {listed(refs)}."

    @property
    def after_go_live_sentence(self) -> str | None:
        return after_go_live_words(self.after_go_live_added)

    @property
    def sentences(self) -> tuple[str, ...]:
        """Everything to say, most important first."""
        said = [self.sentence, self.milestone_sentence, self.moved_sentence]
        said.append(self.after_go_live_sentence)
        return tuple(s for s in said if s)


def compare(
    before: ProgrammeForecast,
    after: ProgrammeForecast,
    ref: str,
    calendar: WorkingCalendar,
    titles: dict[str, str] | None = None,
) -> Effect:
    """The difference between two forecasts of the same plan, one milestone `ref` changed."""
    was, will = before.milestones[ref], after.milestones[ref]
    moved = []
    for other, now in after.milestones.items():
        old = before.milestones.get(other)
        if other in (ref, after.go_live_ref) or old is None:  # go-live is said apart
            continue
        if (old.forecast_start, old.forecast_due) != (now.forecast_start, now.forecast_due):
            moved.append(
                Moved(
                    ref=other,
                    title=(titles or {}).get(other, now.title),
                    workstream=now.workstream,
                    before=old.forecast_due,
                    after=now.forecast_due,
                    days=calendar.working_days_between(old.forecast_due, now.forecast_due),
                )
            )
    moved.sort(key=lambda m: (m.after, m.ref))
    codes = list(dict.fromkeys([*before.workstream_rags, *after.workstream_rags]))
    rags = tuple(
        RagChange(code, before.workstream_rags.get(code), after.workstream_rags.get(code))
        for code in codes
        if before.workstream_rags.get(code) != after.workstream_rags.get(code)
    )
    return Effect(
        ref=ref,
        go_live_ref=after.go_live_ref,
        go_live_target=after.go_live_target,
        go_live_before=before.forecast_go_live,
        go_live_after=after.forecast_go_live,
        slip_before=before.slip_days,
        slip_after=after.slip_days,
        float_before=before.go_live_float,
        float_after=after.go_live_float,
        status_before=before.status,
        status_after=after.status,
        milestone_before=was.forecast_due,
        milestone_after=will.forecast_due,
        milestone_float_before=was.total_float,
        milestone_float_after=will.total_float,
        moved=tuple(moved),
        rag_changes=rags,
        after_go_live_added=tuple(r for r in after.after_go_live if r not in before.after_go_live),
    )


def effect(
    plan: Plan, changed: PlannedMilestone, before: ProgrammeForecast | None = None
) -> Effect:
    """What replacing the milestone `changed.ref` with `changed` does to the forecast.
    `before` is the plan's forecast as it stands, when the caller has it (the page's own
    schedule); otherwise it is worked out. Raises ScheduleError for a plan the engine cannot
    schedule."""
    current = before if before is not None else plan.forecast()
    return compare(current, plan.with_changes(changed).forecast(), changed.ref, plan.calendar)
