"""What-if scenarios: hypothetical edits to a plan, applied in memory, and what they do.

Pure: a scenario is a list of edits (frozen dataclasses, one per kind, each with `to_json`;
`edit_from_json` reads them back, so a list of them can be stored as a JSON column). `apply`
makes them, in order, to a copy of a `forecast_effect.Plan` (the input is frozen and never
changes) and refuses any that cannot be made with a `ScenarioError` naming the edit by its
position. `compare` says what the scenario does: go-live and its slack before and after, the
programme's status, each workstream's RAG, the milestones that move, in a sentence for the
board. `rebase_check` says what changed in the plan since a scenario was made that its edits
touch; `quick_slip` answers "if this slips N working days" from a milestone page.
Decisions: docs/scenarios.md.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from typing import Any, ClassVar

from tracker.domain.forecast_effect import (
    MOVED_SHOWN,
    STATUS_ORDER,
    Effect,
    Plan,
    RagChange,
    after_go_live_words,
    date_span,
)
from tracker.domain.forecast_effect import compare as effect_of
from tracker.domain.text import listed, strip_bidi
from tracker.domain.validation import (
    LAG_LIMIT,
    PLAUSIBLE_DATES,
    DateWindow,
    FieldError,
    check_code,
    check_date_in_window,
    check_dependency,
    check_milestone,
    format_date,
)
from tracker.scheduling import (
    LINK_TYPES,
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    ScheduleError,
    WorkingCalendar,
    long_date,
)
from tracker.scheduling.programme_data import KINDS, RAG_ORDER, days_text

EDIT_KEY = "edit"  # the JSON field that says which kind of edit it is
SCENARIO_FORECASTER = "the scenario"  # who a scenario's forecast is "as forecast by"
SLIP_LIMIT = LAG_LIMIT  # a slip of more than a year is a typing slip, as a lag is
COMPLETE = "complete"
_RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue"}


class ScenarioError(ValueError):
    """An edit that cannot be made (or read). `position` counts edits from 1; `field` is the
    edit's field the problem is about, when there is one (for a form or the API)."""

    def __init__(self, problem: str, position: int | None = None, field: str | None = None):
        self.problem = problem
        self.position = position
        self.field = field
        super().__init__(f"Edit {position}: {problem}" if position is not None else problem)


# --- the edits --------------------------------------------------------------------------------


class Edit:
    """A scenario's edit, of one of the kinds below: each has its kind's name for JSON
    (`EDIT`), `to_json` and `summary`, the edit in words."""

    EDIT: ClassVar[str]

    @property
    def summary(self) -> str:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        """The edit as a JSON object: {"edit": kind, field: value, ...}, dates as 2022-07-01."""
        return {EDIT_KEY: self.EDIT, **{k: _json_value(v) for k, v in vars(self).items()}}


@dataclass(frozen=True)
class NewLink:
    """A link to or from a milestone a scenario adds: `ref` is the milestone at the other end."""

    ref: str
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True)
class SetForecast(Edit):
    """A lead's forecast for the milestone (the date it is now expected done); None clears it."""

    EDIT: ClassVar[str] = "set_forecast"
    ref: str
    forecast: date | None

    @property
    def summary(self) -> str:
        if self.forecast is None:
            return f"{self.ref}'s forecast taken away"
        return f"{self.ref} forecast {long_date(self.forecast)}"


@dataclass(frozen=True)
class Slip(Edit):
    """The milestone's forecast moves `days` working days later than it is forecast now (worked
    out when the scenario is applied, against the plan's calendar)."""

    EDIT: ClassVar[str] = "slip"
    ref: str
    days: int

    @property
    def summary(self) -> str:
        return f"{self.ref} slips {days_text(self.days)}"


@dataclass(frozen=True)
class SetDuration(Edit):
    """An activity takes `days` working days from its planned start (its due date moves)."""

    EDIT: ClassVar[str] = "set_duration"
    ref: str
    days: int

    @property
    def summary(self) -> str:
        return f"{self.ref} takes {days_text(self.days)}"


@dataclass(frozen=True)
class SetDates(Edit):
    """New planned dates. For an activity a `planned_start` of None keeps its planned start;
    a point in time has none."""

    EDIT: ClassVar[str] = "set_dates"
    ref: str
    planned_start: date | None
    due: date

    @property
    def summary(self) -> str:
        if self.planned_start is None:
            return f"{self.ref} due {long_date(self.due)}"
        return f"{self.ref} planned {date_span(self.planned_start, self.due)}"


@dataclass(frozen=True)
class SetLag(Edit):
    """A new lag (negative: a lead) on the link `predecessor -> successor`; `type` says which
    link when the pair has more than one."""

    EDIT: ClassVar[str] = "set_lag"
    predecessor: str
    successor: str
    lag: int
    type: str | None = None

    @property
    def summary(self) -> str:
        return f"{self.predecessor} -> {self.successor}: lag {self.lag:+d}"


@dataclass(frozen=True)
class AddLink(Edit):
    """A new link: `successor` waits for `predecessor` (FS, SS, FF or SF, with a lag)."""

    EDIT: ClassVar[str] = "add_link"
    predecessor: str
    successor: str
    type: str = "FS"
    lag: int = 0

    @property
    def summary(self) -> str:
        return f"link {self.predecessor} -> {self.successor} ({_link_words(self.type, self.lag)})"


@dataclass(frozen=True)
class RemoveLink(Edit):
    """The link `predecessor -> successor` taken away: every link of the pair, or only the one
    of `type`."""

    EDIT: ClassVar[str] = "remove_link"
    predecessor: str
    successor: str
    type: str | None = None

    @property
    def summary(self) -> str:
        which = f" ({self.type})" if self.type else ""
        return f"no link {self.predecessor} -> {self.successor}{which}"


@dataclass(frozen=True)
class AddMilestone(Edit):
    """A new milestone, not started, with no owner, linked to milestones already there."""

    EDIT: ClassVar[str] = "add_milestone"
    ref: str
    title: str
    workstream: str
    kind: str  # "activity" or "point"
    planned_start: date | None
    due: date
    predecessors: tuple[NewLink, ...] = ()  # links into the new milestone
    successors: tuple[NewLink, ...] = ()  # links out of it

    @property
    def summary(self) -> str:
        return f"new milestone {self.ref} '{self.title}', due {long_date(self.due)}"


@dataclass(frozen=True)
class SetGoLiveTarget(Edit):
    """A new go-live target date (the date the board is measured against)."""

    EDIT: ClassVar[str] = "set_go_live_target"
    target: date

    @property
    def summary(self) -> str:
        return f"go-live target {long_date(self.target)}"


EDIT_KINDS: dict[str, type[Edit]] = {
    kind.EDIT: kind
    for kind in (
        SetForecast,
        Slip,
        SetDuration,
        SetDates,
        SetLag,
        AddLink,
        RemoveLink,
        AddMilestone,
        SetGoLiveTarget,
    )
}


def _link_words(type: str, lag: int) -> str:
    return f"{type}{lag:+d}" if lag else type


# --- JSON -------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, NewLink):
        return {"ref": value.ref, "type": value.type, "lag": value.lag}
    return value


class _Bad(Exception):
    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem


Reader = Callable[[object, str], Any]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _ref(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(name, f"'{name}' must be a milestone reference, like FIN-03")
    return value.strip()


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise _Bad(name, f"'{name}' must be text")
    return value


def _code(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(name, f"'{name}' must be a workstream code, like FIN")
    return value.strip()


def _whole(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(name, f"'{name}' must be a whole number of working days")
    return value


def _day(value: object, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Bad(name, f"'{name}' must be a date written like 2022-07-01")


def _day_or_none(value: object, name: str) -> date | None:
    if value is None:
        return None
    try:
        return _day(value, name)
    except _Bad:
        raise _Bad(name, f"'{name}' must be a date written like 2022-07-01, or null") from None


def _link_type(value: object, name: str) -> str:
    if value not in LINK_TYPES:
        raise _Bad(name, f"'{name}' must be FS, SS, FF or SF")
    return str(value)


def _link_type_or_none(value: object, name: str) -> str | None:
    if value is None:
        return None
    if value not in LINK_TYPES:
        raise _Bad(name, f"'{name}' must be FS, SS, FF or SF, or null")
    return str(value)


def _kind(value: object, name: str) -> str:
    if value not in KINDS:
        raise _Bad(name, f"'{name}' must be activity or point")
    return str(value)


_LINK_SHAPE: dict[str, Reader] = {"ref": _ref, "type": _link_type, "lag": _whole}


def _links(value: object, name: str) -> tuple[NewLink, ...]:
    if not isinstance(value, list):
        raise _Bad(name, f'\'{name}\' must be a list of links, like [{{"ref": "FIN-03"}}]')
    read = []
    for k, item in enumerate(value, start=1):
        try:
            read.append(_read(NewLink, _LINK_SHAPE, item, "a link"))
        except _Bad as bad:
            raise _Bad(name, f"'{name}' item {k}: {bad.problem}") from None
    return tuple(read)


_SHAPES: dict[type[Any], dict[str, Reader]] = {
    SetForecast: {"ref": _ref, "forecast": _day_or_none},
    Slip: {"ref": _ref, "days": _whole},
    SetDuration: {"ref": _ref, "days": _whole},
    SetDates: {"ref": _ref, "planned_start": _day_or_none, "due": _day},
    SetLag: {
        "predecessor": _ref,
        "successor": _ref,
        "lag": _whole,
        "type": _link_type_or_none,
    },
    AddLink: {"predecessor": _ref, "successor": _ref, "type": _link_type, "lag": _whole},
    RemoveLink: {"predecessor": _ref, "successor": _ref, "type": _link_type_or_none},
    AddMilestone: {
        "ref": _ref,
        "title": _text,
        "workstream": _code,
        "kind": _kind,
        "planned_start": _day_or_none,
        "due": _day,
        "predecessors": _links,
        "successors": _links,
    },
    SetGoLiveTarget: {"target": _day},
}


def _read(kind: type[Any], shape: dict[str, Reader], data: object, what: str) -> Any:
    """One object of `kind` from its JSON; a field with a default may be left out."""
    if not isinstance(data, dict):
        raise _Bad("", f"must be an object with the fields {', '.join(shape)}")
    unexpected = [k for k in data if k not in shape]
    if unexpected:
        raise _Bad(
            str(unexpected[0]),
            f"'{unexpected[0]}' is not a field of {what} (the fields are {', '.join(shape)})",
        )
    values = {}
    for f in fields(kind):
        if f.name in data:
            values[f.name] = shape[f.name](data[f.name], f.name)
        elif f.default is MISSING:
            raise _Bad(f.name, f"'{f.name}' is missing")
    return kind(**values)


def edit_from_json(data: object, position: int | None = None) -> Edit:
    """The edit a JSON object (from `to_json`) describes. Raises ScenarioError (a ValueError)
    naming the field and what is wrong with it, and the edit's position when given."""
    try:
        if not isinstance(data, dict):
            raise _Bad("", 'must be an object like {"edit": "slip", "ref": "FIN-03", "days": 5}')
        if EDIT_KEY not in data:
            raise _Bad(EDIT_KEY, f"'{EDIT_KEY}' is missing: say which kind of edit, like \"slip\"")
        name = data[EDIT_KEY]
        kind = EDIT_KINDS.get(name) if isinstance(name, str) else None
        if kind is None:
            raise _Bad(
                EDIT_KEY,
                f"{name!r} is not a kind of edit (the kinds are {', '.join(EDIT_KINDS)})",
            )
        rest = {k: v for k, v in data.items() if k != EDIT_KEY}
        edit: Edit = _read(kind, _SHAPES[kind], rest, f"a {name} edit")
        return edit
    except _Bad as bad:
        raise ScenarioError(bad.problem, position, bad.field or None) from None


def edits_from_json(items: object) -> tuple[Edit, ...]:
    """A scenario's edits from their JSON list, each problem naming the edit's position."""
    if not isinstance(items, list):
        raise ScenarioError("a scenario's edits must be a list")
    return tuple(edit_from_json(item, k) for k, item in enumerate(items, start=1))


def edits_to_json(edits: Iterable[Edit]) -> list[dict[str, Any]]:
    """The JSON list to store (json.dumps takes it as it is)."""
    return [e.to_json() for e in edits]


# --- applying ---------------------------------------------------------------------------------


class _Draft:
    """The plan being edited: milestones by ref (in plan order) and links in a list whose
    positions stay put (a removed link leaves None), so a changed lag keeps its place."""

    def __init__(self, plan: Plan, window: DateWindow, before: ProgrammeForecast | None) -> None:
        self.plan = plan
        self.window = window
        self.milestones = {m.ref: m for m in plan.milestones}
        if len(self.milestones) != len(plan.milestones):  # as the engine would say
            seen: set[str] = set()
            for m in plan.milestones:
                if m.ref in seen:
                    raise ScheduleError(f"duplicate milestone ref {m.ref!r}")
                seen.add(m.ref)
        self.links: list[PlannedDependency | None] = list(plan.dependencies)
        self.target = plan.go_live_target
        self._forecast = before
        self._pairs: dict[tuple[str, str], list[int]] | None = None
        self._succs: dict[str, dict[str, int]] | None = None

    # The indexes are made only when an edit needs them: most scenarios touch no link.
    def pairs(self) -> dict[tuple[str, str], list[int]]:
        if self._pairs is None:
            self._pairs = {}
            for k, d in enumerate(self.links):
                if d is not None:
                    self._pairs.setdefault((d.predecessor, d.successor), []).append(k)
        return self._pairs

    def successors(self) -> dict[str, dict[str, int]]:
        """Each milestone's successors, with how many links lead to each."""
        if self._succs is None:
            self._succs = {}
            for (p, s), ks in self.pairs().items():
                if ks:
                    self._succs.setdefault(p, {})[s] = len(ks)
        return self._succs

    def links_of(self, predecessor: str, successor: str) -> list[int]:
        return self.pairs().get((predecessor, successor), [])

    def add_link(self, link: PlannedDependency) -> None:
        self.links.append(link)
        pair = (link.predecessor, link.successor)
        self.pairs().setdefault(pair, []).append(len(self.links) - 1)
        out = self.successors().setdefault(link.predecessor, {})
        out[link.successor] = out.get(link.successor, 0) + 1

    def remove_link(self, k: int) -> None:
        link = self.links[k]
        assert link is not None
        out = self.successors()[link.predecessor]
        self.links[k] = None
        self.pairs()[(link.predecessor, link.successor)].remove(k)
        out[link.successor] -= 1
        if not out[link.successor]:
            del out[link.successor]

    def path(self, starts: Iterable[str], goals: set[str]) -> list[str] | None:
        """The shortest chain of links from one of `starts` to one of `goals`, or None."""
        succs = self.successors()
        came_from: dict[str, str | None] = {}
        queue: deque[str] = deque()
        for s in starts:
            if s not in came_from:
                came_from[s] = None
                queue.append(s)
        while queue:
            node = queue.popleft()
            if node in goals:
                chain = [node]
                while (previous := came_from[chain[-1]]) is not None:
                    chain.append(previous)
                return chain[::-1]
            for nxt in succs.get(node, ()):
                if nxt not in came_from:
                    came_from[nxt] = node
                    queue.append(nxt)
        return None

    def current(self) -> Plan:
        return replace(
            self.plan,
            milestones=tuple(self.milestones.values()),
            dependencies=tuple(d for d in self.links if d is not None),
            go_live_target=self.target,
        )

    def forecast(self) -> ProgrammeForecast:
        """The forecast of the plan as edited so far (kept until the next edit)."""
        if self._forecast is None:
            self._forecast = self.current().forecast()
        return self._forecast

    def changed(self) -> None:
        self._forecast = None


def _need(draft: _Draft, ref: str, name: str = "ref") -> PlannedMilestone:
    found = draft.milestones.get(ref)
    if found is None:
        raise _Bad(name, f"{ref} is not in the plan")
    return found


def _open(m: PlannedMilestone, doing: str) -> None:
    """A completed milestone's dates are history: a scenario changes only work still to do."""
    if m.status == COMPLETE:
        done = f" on {long_date(m.completed_on)}" if m.completed_on else ""
        raise _Bad("ref", f"{m.ref} was completed{done}, so it cannot {doing}")


def _in_window(draft: _Draft, name: str, value: date | None, what: str) -> None:
    errors = check_date_in_window(name, value, draft.window, what)
    if errors:
        raise _Bad(name, errors[0].message)


def _first(errors: list[FieldError], fields_as: dict[str, str]) -> None:
    """Raise the first of validation's errors, named by the edit's own field."""
    if errors:
        raise _Bad(fields_as.get(errors[0].field, errors[0].field), errors[0].message)


def _check_days(days: object, name: str = "days") -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise _Bad(name, f"'{name}' must be a whole number of working days")
    return days


def _set_forecast(draft: _Draft, e: SetForecast) -> SetForecast:
    m = _need(draft, e.ref)
    if e.forecast is not None:
        _open(m, "be given a forecast")
        _in_window(draft, "forecast", e.forecast, "forecast")
    draft.milestones[m.ref] = replace(
        m,
        forecast=e.forecast,
        forecast_reason=None,
        forecast_by=SCENARIO_FORECASTER if e.forecast is not None else None,
    )
    return e


def _slip(draft: _Draft, e: Slip) -> SetForecast:
    days = _check_days(e.days)
    if days < 1:
        raise _Bad(
            "days",
            f"a slip is at least 1 working day, not {days}: to bring {e.ref} forward, "
            "change its dates",
        )
    if days > SLIP_LIMIT:
        raise _Bad(
            "days",
            f"a slip of {days} working days is more than a year: keep it within "
            f"{SLIP_LIMIT} working days",
        )
    m = _need(draft, e.ref)
    _open(m, "slip")
    now = draft.forecast().milestones[m.ref].forecast_due
    later = draft.plan.calendar.add_working_days(now, days)
    _in_window(draft, "days", later, "forecast")
    draft.milestones[m.ref] = replace(
        m,
        forecast=later,
        forecast_reason=f"a slip of {days_text(days)}",
        forecast_by=SCENARIO_FORECASTER,
    )
    return SetForecast(m.ref, later)


def duration_due(calendar: WorkingCalendar, planned_start: date, days: int) -> date:
    """The due date of an activity taking `days` working days from `planned_start` (both
    ends counted: a day's work is due the day it starts)."""
    return calendar.finish_date(calendar.start_offset(planned_start) + days)


def _set_duration(draft: _Draft, e: SetDuration) -> SetDates:
    days = _check_days(e.days)
    m = _need(draft, e.ref)
    if m.kind != "activity" or m.planned_start is None:
        raise _Bad(
            "ref",
            f"{m.ref} is a point in time, not an activity: it has no duration to change "
            "(change its due date instead)",
        )
    if days < 1:
        raise _Bad("days", f"an activity takes at least 1 working day, not {days}")
    _open(m, "change its dates")
    due = duration_due(draft.plan.calendar, m.planned_start, days)
    _in_window(draft, "days", due, "due date")
    draft.milestones[m.ref] = replace(m, due=due)
    return SetDates(m.ref, m.planned_start, due)


def _set_dates(draft: _Draft, e: SetDates) -> SetDates:
    m = _need(draft, e.ref)
    _open(m, "change its dates")
    start = e.planned_start
    if m.kind == "activity":
        start = start or m.planned_start
    elif start is not None and start != e.due:
        raise _Bad("planned_start", f"{m.ref} is a point in time: it has no separate planned start")
    else:
        start = None
    _in_window(draft, "planned_start", start, "planned start")
    _in_window(draft, "due", e.due, "due date")
    if start is not None and e.due < start:
        raise _Bad(
            "due",
            f"the due date {format_date(e.due)} is before the planned start {format_date(start)}",
        )
    draft.milestones[m.ref] = replace(m, planned_start=start, due=e.due)
    return SetDates(m.ref, start, e.due)


def _which_link(draft: _Draft, predecessor: str, successor: str, type: str | None) -> list[int]:
    """The positions of the links `predecessor -> successor` (of `type`, when given)."""
    _need(draft, predecessor, "predecessor")
    _need(draft, successor, "successor")
    ks = list(draft.links_of(predecessor, successor))  # a copy: removing changes the index
    if type is not None:
        _first(
            check_dependency(predecessor=predecessor, successor=successor, type=type, lag_days=0),
            {"lag_days": "lag"},
        )
        ks = [k for k in ks if (link := draft.links[k]) is not None and link.type == type]
    if not ks:
        which = f"{type} link" if type else "link"
        raise _Bad("predecessor", f"there is no {which} {predecessor} -> {successor} in the plan")
    return ks


def _set_lag(draft: _Draft, e: SetLag) -> SetLag:
    ks = _which_link(draft, e.predecessor, e.successor, e.type)
    if len(ks) > 1:
        types = [link.type for k in ks if (link := draft.links[k]) is not None]
        raise _Bad(
            "type",
            f"{e.predecessor} -> {e.successor} has {len(ks)} links ({listed(types)}): "
            "say which type",
        )
    link = draft.links[ks[0]]
    assert link is not None
    _first(
        check_dependency(
            predecessor=e.predecessor, successor=e.successor, type=link.type, lag_days=e.lag
        ),
        {"lag_days": "lag"},
    )
    draft.links[ks[0]] = replace(link, lag=e.lag)
    return SetLag(e.predecessor, e.successor, e.lag, link.type)


def _loop_words(chain: list[str]) -> str:
    return " -> ".join([*chain, chain[0]])


def _add_link(draft: _Draft, e: AddLink) -> AddLink:
    _first(
        check_dependency(
            predecessor=e.predecessor, successor=e.successor, type=e.type, lag_days=e.lag
        ),
        {"lag_days": "lag"},
    )
    _need(draft, e.predecessor, "predecessor")
    _need(draft, e.successor, "successor")
    for k in draft.links_of(e.predecessor, e.successor):
        link = draft.links[k]
        if link is not None and link.type == e.type:
            raise _Bad(
                "predecessor",
                f"{e.successor} already depends on {e.predecessor} ({e.type})",
            )
    chain = draft.path([e.successor], {e.predecessor})
    if chain is not None:
        raise _Bad(
            "predecessor",
            f"the link {e.predecessor} -> {e.successor} would make a loop: "
            f"{_loop_words([e.predecessor, *chain[:-1]])}",
        )
    draft.add_link(PlannedDependency(e.predecessor, e.successor, e.type, e.lag))
    return e


def _remove_link(draft: _Draft, e: RemoveLink) -> RemoveLink:
    for k in _which_link(draft, e.predecessor, e.successor, e.type):
        draft.remove_link(k)
    return e


def _add_milestone(draft: _Draft, e: AddMilestone) -> AddMilestone:
    start = None if e.kind == "point" and e.planned_start == e.due else e.planned_start
    title = strip_bidi(e.title).strip() if isinstance(e.title, str) else e.title
    _first(
        check_milestone(
            ref=e.ref,
            title=title,
            kind=e.kind,
            planned_start=start,
            due_date=e.due,
            status="not_started",
            completed_on=None,
            blocked_reason=None,
            window=draft.window,
        ),
        {"due_date": "due"},
    )
    _first(check_code(e.workstream), {"code": "workstream"})
    if e.ref in draft.milestones:
        raise _Bad("ref", f"{e.ref} is already in the plan: give the new milestone its own ref")
    seen: set[tuple[str, str, str]] = set()
    for name, links in (("predecessors", e.predecessors), ("successors", e.successors)):
        for link in links:
            pred, succ = (link.ref, e.ref) if name == "predecessors" else (e.ref, link.ref)
            _first(
                check_dependency(
                    predecessor=pred, successor=succ, type=link.type, lag_days=link.lag
                ),
                {"predecessor": name, "successor": name, "type": name, "lag_days": name},
            )
            _need(draft, link.ref, name)
            if (pred, succ, link.type) in seen:
                raise _Bad(name, f"the link {pred} -> {succ} ({link.type}) is listed twice")
            seen.add((pred, succ, link.type))
    before = {link.ref for link in e.predecessors}
    chain = draft.path([link.ref for link in e.successors], before)
    if chain is not None:
        raise _Bad(
            "successors",
            f"{e.ref} would be in a loop: {_loop_words([e.ref, *chain])}",
        )
    draft.milestones[e.ref] = PlannedMilestone(
        e.ref, title, e.workstream, "", e.kind, start, e.due, "not_started"
    )
    for link in e.predecessors:
        draft.add_link(PlannedDependency(link.ref, e.ref, link.type, link.lag))
    for link in e.successors:
        draft.add_link(PlannedDependency(e.ref, link.ref, link.type, link.lag))
    return e


def _set_go_live_target(draft: _Draft, e: SetGoLiveTarget) -> SetGoLiveTarget:
    if not isinstance(e.target, date):
        raise _Bad("target", "'target' must be a date")
    _in_window(draft, "target", e.target, "go-live target")
    draft.target = e.target
    return e


_APPLY: dict[type[Any], Callable[[_Draft, Any], Edit]] = {
    SetForecast: _set_forecast,
    Slip: _slip,
    SetDuration: _set_duration,
    SetDates: _set_dates,
    SetLag: _set_lag,
    AddLink: _add_link,
    RemoveLink: _remove_link,
    AddMilestone: _add_milestone,
    SetGoLiveTarget: _set_go_live_target,
}


def _run(
    plan: Plan, edits: Sequence[Edit], window: DateWindow, before: ProgrammeForecast | None
) -> tuple[Plan, tuple[Edit, ...]]:
    draft = _Draft(plan, window, before)
    resolved = []
    for position, e in enumerate(edits, start=1):
        make = _APPLY.get(type(e))
        try:
            if make is None:
                raise _Bad("", f"{e!r} is not an edit a scenario can make")
            resolved.append(make(draft, e))
        except _Bad as bad:
            raise ScenarioError(bad.problem, position, bad.field or None) from None
        draft.changed()
    return draft.current(), tuple(resolved)


def apply(
    plan: Plan,
    edits: Sequence[Edit],
    *,
    window: DateWindow = PLAUSIBLE_DATES,
    before: ProgrammeForecast | None = None,
) -> Plan:
    """The plan with the edits made in order (the plan given is left as it is). Every date an
    edit makes must lie in `window` (the programme's, from the service). `before` is the
    plan's forecast when the caller has it: a slip at the start then needs no forecast of its
    own. Raises ScenarioError naming the first edit that cannot be made, by its position."""
    return _run(plan, edits, window, before)[0]


def resolve(
    plan: Plan,
    edits: Sequence[Edit],
    *,
    window: DateWindow = PLAUSIBLE_DATES,
    before: ProgrammeForecast | None = None,
) -> tuple[Edit, ...]:
    """The edits with their dates worked out on this plan, for writing them to the plan: a
    slip as the forecast it makes, a duration as the dates, a lag's link type named. Raises
    ScenarioError as apply does."""
    return _run(plan, edits, window, before)[1]


# --- comparing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changed:
    """A milestone whose forecast, float or RAG differs in the scenario; `days` is how far
    its forecast moved, in working days (positive: later)."""

    ref: str
    title: str
    workstream: str
    forecast_before: date
    forecast_after: date
    float_before: int
    float_after: int
    rag_before: str
    rag_after: str
    days: int


@dataclass(frozen=True)
class Comparison:
    """What a scenario does to the plan. Floats and slips in working days."""

    go_live_ref: str
    target_before: date
    target_after: date
    go_live_before: date
    go_live_after: date
    slip_before: int  # forecast go-live against its target; positive = late
    slip_after: int
    float_before: int  # go-live's float: the slack before go-live moves
    float_after: int
    status_before: str
    status_after: str
    workstreams: tuple[RagChange, ...]  # every workstream, by code, changed or not
    changed: tuple[Changed, ...]  # go-live aside (it has its own figures); most moved first
    added: tuple[str, ...]  # milestones only in the scenario
    removed: tuple[str, ...]  # milestones only in the plan (comparing two scenarios)
    after_go_live_added: tuple[str, ...]  # open milestones put after go-live, unwaited for
    before: ProgrammeForecast = field(repr=False, compare=False)
    after: ProgrammeForecast = field(repr=False, compare=False)
    subject: str = "In this scenario"  # how the sentence starts
    # A quick slip's milestone: its own float, in forecast_effect's words.
    effect: Effect | None = None

    @property
    def go_live_moves(self) -> bool:
        return self.go_live_after != self.go_live_before

    @property
    def target_moves(self) -> bool:
        return self.target_after != self.target_before

    @property
    def uses_slack(self) -> bool:
        """Go-live's float goes down, or go-live moves later (as forecast_effect.Effect)."""
        return self.float_after < self.float_before or self.go_live_after > self.go_live_before

    @property
    def status_worse(self) -> bool:
        return STATUS_ORDER.get(self.status_after, 0) > STATUS_ORDER.get(self.status_before, 0)

    @property
    def rag_changes(self) -> tuple[RagChange, ...]:
        return tuple(w for w in self.workstreams if w.before != w.after)

    @property
    def moved(self) -> tuple[Changed, ...]:
        """The milestones whose forecast moves (not only their float), most moved first."""
        return tuple(c for c in self.changed if c.forecast_before != c.forecast_after)

    @property
    def changes_nothing(self) -> bool:
        return not (
            self.go_live_moves
            or self.target_moves
            or self.float_after != self.float_before
            or self.status_after != self.status_before
            or self.changed
            or self.added
            or self.removed
            or self.rag_changes
        )

    def _slip_words(self) -> str:
        n = self.slip_after
        if n > 0:
            return f"{days_text(n)} late"
        if n < 0:
            return f"{days_text(-n)} before the target"
        return "on the target date"

    def _go_live_words(self) -> str:
        before, after = self.float_before, self.float_after
        if self.go_live_moves:
            verb = "moves" if self.go_live_after > self.go_live_before else "comes forward"
            return (
                f"go-live {verb} from {date_span(self.go_live_before, self.go_live_after)}, "
                f"{self._slip_words()}"
            )
        stays = f"go-live stays on {long_date(self.go_live_after)}"
        if after < before:
            used = before - after
            if before > 0 and after >= 0:
                if used == before:
                    if before == 1:
                        return f"{stays} but uses the last working day of slack"
                    return f"{stays} but uses all {days_text(before)} of slack"
                return f"{stays} but uses {used} of its {days_text(before)} of slack"
            return f"{stays} but its float goes from {before} to {days_text(after)}"
        if after > before:
            more = after - before
            return (
                f"{stays} with {more} more working day{'' if more == 1 else 's'} of slack "
                f"({after} in all)"
            )
        if after > 0 and not self.target_moves:
            return f"{stays} with its {days_text(after)} of slack"
        return f"{stays}, {self._slip_words()}"

    def _workstream_words(self) -> str | None:
        turned: dict[str, int] = {}
        for w in self.rag_changes:
            if w.after is not None:
                turned[w.after] = turned.get(w.after, 0) + 1
        said: list[str] = []
        for rag in RAG_ORDER:
            n = turned.get(rag)
            if n:
                whom = f"{n} workstream{'' if n == 1 else 's'}" if not said else str(n)
                said.append(f"{whom} turn{'s' if n == 1 else ''} {_RAG_WORDS.get(rag, rag)}")
        return ", ".join(said) if said else None

    @property
    def sentence(self) -> str:
        """What the scenario does, in the board's words: "In this scenario go-live moves from
        1 July to 20 July 2022, 14 working days late; 3 workstreams turn Red"."""
        if self.changes_nothing:
            return (
                f"{self.subject} nothing changes: go-live stays on "
                f"{long_date(self.go_live_after)} with {days_text(self.float_after)} of slack, "
                "and no milestone moves."
            )
        clauses = []
        if self.target_moves:
            clauses.append(
                f"the go-live target moves from {date_span(self.target_before, self.target_after)}"
            )
        clauses.append(self._go_live_words())
        if self.status_after != self.status_before:
            clauses.append(f"the programme goes from {self.status_before} to {self.status_after}")
        workstreams = self._workstream_words()
        if workstreams:
            clauses.append(workstreams)
        return f"{self.subject} {'; '.join(clauses)}."

    @property
    def moved_sentence(self) -> str | None:
        """ "It moves 7 milestones: FIN-09, FIN-10, ... and 2 more." (most moved first; a quick
        slip's own milestone is said apart)."""
        focus = self.effect.ref if self.effect is not None else None
        moved = [c.ref for c in self.moved if c.ref != focus]
        if not moved:
            return None
        refs = moved[:MOVED_SHOWN]
        if len(moved) > MOVED_SHOWN:
            refs.append(f"{len(moved) - MOVED_SHOWN} more")
        n = len(moved)
        also = " also" if focus else ""
        other = " other" if focus else ""
        return f"It{also} moves {n}{other} milestone{'' if n == 1 else 's'}: {listed(refs)}."

    @property
    def added_sentence(self) -> str | None:
        if not self.added:
            return None
        said = [
            f"{r}, forecast {long_date(self.after.milestones[r].forecast_due)}" for r in self.added
        ]
        return f"It adds {listed(said)}."

    @property
    def after_go_live_sentence(self) -> str | None:
        return after_go_live_words(self.after_go_live_added)

    @property
    def sentences(self) -> tuple[str, ...]:
        """Everything to say, most important first."""
        said = [
            self.sentence,
            self.effect.milestone_sentence if self.effect is not None else None,
            self.moved_sentence,
            self.added_sentence,
            self.after_go_live_sentence,
        ]
        return tuple(s for s in said if s)


def compare_forecasts(
    before: ProgrammeForecast,
    after: ProgrammeForecast,
    calendar: WorkingCalendar,
    *,
    subject: str = "In this scenario",
    focus: str | None = None,
) -> Comparison:
    """What changes from the forecast `before` to `after` (the plan and a scenario, or two
    scenarios). `focus` is a milestone to say its own float of (a quick slip's)."""
    changed = []
    for ref, now in after.milestones.items():
        old = before.milestones.get(ref)
        if old is None or ref == after.go_live_ref:  # go-live is said apart
            continue
        if (old.forecast_start, old.forecast_due, old.total_float, old.rag) != (
            now.forecast_start,
            now.forecast_due,
            now.total_float,
            now.rag,
        ):
            changed.append(
                Changed(
                    ref=ref,
                    title=now.title,
                    workstream=now.workstream,
                    forecast_before=old.forecast_due,
                    forecast_after=now.forecast_due,
                    float_before=old.total_float,
                    float_after=now.total_float,
                    rag_before=old.rag,
                    rag_after=now.rag,
                    days=calendar.working_days_between(old.forecast_due, now.forecast_due),
                )
            )
    changed.sort(
        key=lambda c: (
            -abs(c.days),
            -abs(c.float_after - c.float_before),
            c.forecast_after,
            c.ref,
        )
    )
    codes = sorted({*before.workstream_rags, *after.workstream_rags})
    effect = None
    if focus is not None and focus in before.milestones and focus in after.milestones:
        effect = effect_of(before, after, focus, calendar)
    return Comparison(
        go_live_ref=after.go_live_ref,
        target_before=before.go_live_target,
        target_after=after.go_live_target,
        go_live_before=before.forecast_go_live,
        go_live_after=after.forecast_go_live,
        slip_before=before.slip_days,
        slip_after=after.slip_days,
        float_before=before.go_live_float,
        float_after=after.go_live_float,
        status_before=before.status,
        status_after=after.status,
        workstreams=tuple(
            RagChange(c, before.workstream_rags.get(c), after.workstream_rags.get(c)) for c in codes
        ),
        changed=tuple(changed),
        added=tuple(r for r in after.milestones if r not in before.milestones),
        removed=tuple(r for r in before.milestones if r not in after.milestones),
        after_go_live_added=tuple(r for r in after.after_go_live if r not in before.after_go_live),
        before=before,
        after=after,
        subject=subject,
        effect=effect,
    )


def compare(
    plan: Plan,
    scenario_plan: Plan,
    *,
    before: ProgrammeForecast | None = None,
    after: ProgrammeForecast | None = None,
    subject: str = "In this scenario",
    focus: str | None = None,
) -> Comparison:
    """What the scenario's plan changes from the plan. `before` and `after` are their
    forecasts when the caller has them (the plan's is usually cached); otherwise they are
    worked out. Raises ScheduleError for a plan the engine cannot schedule."""
    return compare_forecasts(
        before if before is not None else plan.forecast(),
        after if after is not None else scenario_plan.forecast(),
        plan.calendar,
        subject=subject,
        focus=focus,
    )


def what_if(
    plan: Plan,
    edits: Sequence[Edit],
    *,
    before: ProgrammeForecast | None = None,
    window: DateWindow = PLAUSIBLE_DATES,
    subject: str = "In this scenario",
) -> Comparison:
    """A scenario's edits applied to the plan and compared with it, the plan's forecast
    worked out once (or `before`, when the caller has it). Raises ScenarioError as apply
    does."""
    current = before if before is not None else plan.forecast()
    scenario = apply(plan, edits, window=window, before=current)
    return compare(plan, scenario, before=current, subject=subject)


def quick_slip(
    plan: Plan,
    ref: str,
    days: int,
    *,
    before: ProgrammeForecast | None = None,
    window: DateWindow = PLAUSIBLE_DATES,
) -> Comparison:
    """ "If this slips N working days": the scenario of one slip, compared with the plan.
    Raises ScenarioError for a slip that cannot be made (a completed milestone, 0 days)."""
    current = before if before is not None else plan.forecast()
    scenario = apply(plan, [Slip(ref, days)], window=window, before=current)
    subject = f"If {ref} slips {days_text(days)},"
    return compare(plan, scenario, before=current, subject=subject, focus=ref)


# --- rebasing ---------------------------------------------------------------------------------


def _refs_of(e: Edit) -> list[tuple[str, str]]:
    """The milestones an edit refers to (not the one it adds), with the field naming each."""
    if isinstance(e, SetForecast | Slip | SetDuration | SetDates):
        return [("ref", e.ref)]
    if isinstance(e, SetLag | AddLink | RemoveLink):
        return [("predecessor", e.predecessor), ("successor", e.successor)]
    if isinstance(e, AddMilestone):
        return [("predecessors", k.ref) for k in e.predecessors] + [
            ("successors", k.ref) for k in e.successors
        ]
    return []


def _milestone_changes(old: PlannedMilestone, new: PlannedMilestone) -> list[str]:
    """How a milestone's schedule changed, in words ("its due date moved from ...")."""
    said = []
    if new.status == COMPLETE and old.status != COMPLETE:
        done = f" on {long_date(new.completed_on)}" if new.completed_on else ""
        said.append(f"it was completed{done}")
    elif old.status == COMPLETE and new.status != COMPLETE:
        said.append("it is no longer complete")
    if old.kind != new.kind:
        said.append(f"it became {'an activity' if new.kind == 'activity' else 'a point in time'}")
    if old.planned_start != new.planned_start and old.planned_start and new.planned_start:
        moved = date_span(old.planned_start, new.planned_start)
        said.append(f"its planned start moved from {moved}")
    if old.due != new.due:
        said.append(f"its due date moved from {date_span(old.due, new.due)}")
    if old.forecast != new.forecast:
        if new.forecast is None:
            said.append("its lead's forecast was taken away")
        elif old.forecast is None:
            said.append(f"its lead now forecasts {long_date(new.forecast)}")
        else:
            said.append(f"its lead's forecast moved from {date_span(old.forecast, new.forecast)}")
    return said


def _links_by_pair(plan: Plan) -> dict[tuple[str, str], list[PlannedDependency]]:
    pairs: dict[tuple[str, str], list[PlannedDependency]] = {}
    for d in plan.dependencies:
        pairs.setdefault((d.predecessor, d.successor), []).append(d)
    return pairs


def _link_changes(
    e: SetLag | RemoveLink | AddLink,
    old: list[PlannedDependency],
    new: list[PlannedDependency],
) -> str | None:
    pair = f"{e.predecessor} -> {e.successor}"
    if isinstance(e, AddLink):
        mine = [d for d in new if d.type == e.type]
        if mine and not any(d.type == e.type for d in old):
            return f"the plan now has the link {pair} ({_link_words(e.type, mine[0].lag)}) itself"
        return None
    if e.type is not None:
        old = [d for d in old if d.type == e.type]
        new = [d for d in new if d.type == e.type]
    if old and not new:
        return f"the link {pair} is no longer in the plan"
    was = sorted((d.type, d.lag) for d in old)
    now = sorted((d.type, d.lag) for d in new)
    if old and was != now:
        return (
            f"the link {pair} changed: it was {listed([_link_words(*w) for w in was])}, "
            f"now {listed([_link_words(*n) for n in now])}"
        )
    return None


def _positions(positions: list[int]) -> str:
    if len(positions) == 1:
        return f"Edit {positions[0]}"
    return "Edits " + listed([str(p) for p in positions])


def rebase_check(
    edits: Sequence[Edit],
    old_plan: Plan,
    new_plan: Plan,
    *,
    window: DateWindow = PLAUSIBLE_DATES,
) -> list[str]:
    """What changed from `old_plan` (the plan the scenario was made on) to `new_plan` that the
    scenario's edits touch, one plain sentence each, naming the edits: milestones and links
    they refer to that changed or are gone, refs or links they add that the plan now has,
    the go-live target they move, and any edit that no longer applies. Empty when the edits
    still apply cleanly."""
    was = {m.ref: m for m in old_plan.milestones}
    now = {m.ref: m for m in new_plan.milestones}
    old_links, new_links = _links_by_pair(old_plan), _links_by_pair(new_plan)
    added: set[str] = set()  # milestones the scenario itself adds
    # What is said, in the order first found, with the edits it is about: a milestone that
    # changed is said once, however many edits refer to it.
    said: dict[str, list[int]] = {}

    def say(position: int, text: str) -> None:
        positions = said.setdefault(text, [])
        if position not in positions:
            positions.append(position)

    for position, e in enumerate(edits, start=1):
        for _name, ref in _refs_of(e):
            if ref in added or ref not in was:
                continue  # the scenario's own milestone, or one apply already refuses
            if ref not in now:
                say(position, f"{ref} is no longer in the plan")
                continue
            changes = _milestone_changes(was[ref], now[ref])
            if changes:
                say(position, f"{ref} changed since the scenario was made: {listed(changes)}")
        if isinstance(e, SetLag | RemoveLink | AddLink):
            pair = (e.predecessor, e.successor)
            text = _link_changes(e, old_links.get(pair, []), new_links.get(pair, []))
            if text:
                say(position, text)
        elif isinstance(e, AddMilestone):
            if e.ref in now and e.ref not in was:
                say(position, f"the plan now has a milestone {e.ref} of its own")
            added.add(e.ref)
        elif isinstance(e, SetGoLiveTarget) and old_plan.go_live_target != new_plan.go_live_target:
            span = date_span(old_plan.go_live_target, new_plan.go_live_target)
            say(position, f"the plan's go-live target moved from {span} since")
    lines = [f"{_positions(positions)}: {text}." for text, positions in said.items()]
    try:
        apply(new_plan, edits, window=window)
    except ScenarioError as refused:
        # Said already when it is about an edit named above (a milestone gone, completed).
        if not any(refused.position in positions for positions in said.values()):
            lines.append(f"{refused}.")
    return lines
