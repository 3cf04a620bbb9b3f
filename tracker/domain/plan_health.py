"""Plan health: twelve checks modelled on the DCMA 14-point schedule assessment, adapted to a
milestone plan, each with its count, threshold, pass or warning, and the milestones behind it.
Plain data in, plain data out; the checks and the decisions behind them: docs/plan-health.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any

from tracker.domain.validation import FieldError, format_date
from tracker.scheduling import (
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    WorkingCalendar,
    forecast_go_live,
    go_live_if_delayed,
)

PERCENT, WORKING_DAYS, COUNT = "%", "working days", "count"
# The critical path test delays the driving milestone by its float and this much more.
CRITICAL_PATH_DELAY = 10
LINK_WORDS = {"FS": "finish-to-start", "SS": "start-to-start", "FF": "finish-to-finish"}
LINK_WORDS["SF"] = "start-to-finish"
_UNIT_WORDS = {PERCENT: "percentage", WORKING_DAYS: "number of working days", COUNT: "number"}
_SUFFIX = {PERCENT: " %", WORKING_DAYS: " working days", COUNT: ""}


def _t(default: int, label: str, unit: str, maximum: int = 10_000) -> Any:
    return field(default=default, metadata={"label": label, "unit": unit, "maximum": maximum})


@dataclass(frozen=True)
class HealthThresholds:
    """Every threshold, the defaults DCMA's (the BEI as a percentage: 95 is 0.95)."""

    missing_logic: int = _t(5, "Missing logic", PERCENT, 100)
    leads: int = _t(0, "Leads", COUNT)
    lag_days: int = _t(20, "Longest lag", WORKING_DAYS, 260)
    long_lags: int = _t(5, "Long lags", PERCENT, 100)
    relationship_types: int = _t(10, "Relationship types", PERCENT, 100)
    constraints: int = _t(5, "Held to planned dates", PERCENT, 100)
    high_float_days: int = _t(44, "Most float", WORKING_DAYS, 1_000)
    high_float: int = _t(5, "High float", PERCENT, 100)
    negative_float: int = _t(0, "Negative float", COUNT)
    long_duration_days: int = _t(44, "Longest duration", WORKING_DAYS, 1_000)
    long_durations: int = _t(5, "Long durations", PERCENT, 100)
    invalid_dates: int = _t(0, "Invalid dates", COUNT)
    bei: int = _t(95, "Baseline execution index", PERCENT, 100)
    non_working_days: int = _t(0, "Due on non-working days", COUNT)

    @classmethod
    def from_values(cls, values: Mapping[str, object] | None) -> HealthThresholds:
        """From stored or checked values: a value left out, None or unreadable is the default."""
        good = {k: v for k, v in (values or {}).items() if v is not None and not _problem(k, v)}
        return cls(**good)  # type: ignore[arg-type]  # each one checked by _problem

    def changed(self) -> dict[str, int]:
        """Only the thresholds that differ from the defaults: what a programme stores."""
        return {k: v for k, v in asdict(self).items() if THRESHOLD_BY_KEY[k].default != v}


@dataclass(frozen=True)
class Threshold:
    key: str
    label: str  # names the field, on the form and in its messages
    unit: str
    default: int  # DCMA's
    maximum: int


_DEFAULTS = HealthThresholds()
THRESHOLDS = tuple(
    Threshold(f.name, m["label"], m["unit"], getattr(_DEFAULTS, f.name), m["maximum"])
    for f in fields(HealthThresholds)
    for m in [f.metadata]
)
THRESHOLD_BY_KEY = {t.key: t for t in THRESHOLDS}


def _problem(key: str, value: object) -> str | None:
    t = THRESHOLD_BY_KEY.get(key)
    if t is None:
        return f"There is no plan health threshold called '{key}'"
    if value is None or (type(value) is int and 0 <= value <= t.maximum):
        return None
    unit = _UNIT_WORDS[t.unit]
    return f"{t.label}: enter a whole {unit} from 0 to {t.maximum:,}, like {t.default}"


def check_thresholds(values: Mapping[str, object]) -> list[FieldError]:
    """Each threshold a whole number in its range, or None for the default. An error's field
    is the threshold's key; its message names the threshold, with an example."""
    return [FieldError(k, p) for k, v in values.items() if (p := _problem(k, v)) is not None]


def describe_stored(stored: Mapping[str, object] | None) -> str:
    """Stored thresholds in words, for the audit trail: "Missing logic 10 %; Longest lag 30
    working days", or "the DCMA defaults"."""
    changed = HealthThresholds.from_values(stored).changed()
    parts = [f"{(t := THRESHOLD_BY_KEY[k]).label} {v}{_SUFFIX[t.unit]}" for k, v in changed.items()]
    return "; ".join(parts) or "the DCMA defaults"


# --- the checks ------------------------------------------------------------------------------

SHARE, AT_MOST, AT_LEAST, MUST_PASS = "share", "at most", "at least", "must pass"


@dataclass(frozen=True)
class Check:
    key: str
    name: str
    rule: str  # SHARE (at most, a percentage), AT_MOST (a count), AT_LEAST or MUST_PASS
    of: str  # what it counts among: "open milestones"
    what: str  # what those behind it do: "have an open end"
    measure: str | None = None  # the key of the working-day limit it measures against

    @property
    def meaning(self) -> str:
        return MEANINGS[self.key]

    @property
    def threshold(self) -> str | None:
        """The key of the threshold it is judged by."""
        return {"missed_milestones": "bei", "critical_path": None}.get(self.key, self.key)


_OPEN, _ACTS, _DUE = "open milestones", "open activities", "milestones due by the baseline"
CHECKS: tuple[Check, ...] = (
    Check("missing_logic", "Missing logic", SHARE, _OPEN, "have an open end"),
    Check("leads", "Leads", AT_MOST, "links", "have a lead"),
    Check("long_lags", "Long lags", SHARE, "links", "have a lag over {days}", "lag_days"),
    Check("relationship_types", "Relationship types", SHARE, "links", "are not finish-to-start"),
    Check("constraints", "Held to planned dates", SHARE, _OPEN, "are held to their planned dates"),
    Check("high_float", "High float", SHARE, _OPEN, "have float over {days}", "high_float_days"),
    Check("negative_float", "Negative float", AT_MOST, _OPEN, "have negative float"),
    Check("long_durations", "Long durations", SHARE, _ACTS, "exceed {days}", "long_duration_days"),
    Check("invalid_dates", "Invalid dates", AT_MOST, "milestones", "have an invalid date"),
    Check("missed_milestones", "Missed milestones", AT_LEAST, f"{_DUE} to date", "are complete"),
    Check("critical_path", "Critical path test", MUST_PASS, "tests", "failed"),
    Check("non_working_days", "Non-working days", AT_MOST, _OPEN, "are due on a non-working day"),
)
CHECK_BY_KEY = {c.key: c for c in CHECKS}
MEANINGS = {
    "missing_logic": "Open milestones with no predecessor or no successor, other than the "
    "programme's start and go-live: a milestone that feeds nothing cannot move go-live.",
    "leads": "Links with a negative lag: the successor may start before its predecessor ends.",
    "long_lags": "Links with a lag over the limit: a long wait belongs in the plan by name.",
    "relationship_types": "Links other than finish-to-start, as a share of the links.",
    "constraints": "Open milestones held back by their own planned date, not by predecessors.",
    "high_float": "Open milestones with more float than the limit: often a missing link.",
    "negative_float": "Open milestones with negative float: they cannot make go-live as planned.",
    "long_durations": "Open activities planned to take longer than the limit: hard to track.",
    "invalid_dates": "Open milestones whose forecast, or planned date when they have no "
    "forecast, is before today; completion dates after today.",
    "missed_milestones": "The baseline execution index: the share of the milestones due by "
    "the baseline to date that are complete.",
    "critical_path": "Delaying the first open milestone on the driving path by its slack and "
    f"{CRITICAL_PATH_DELAY} working days more must move go-live by {CRITICAL_PATH_DELAY}.",
    "non_working_days": "Open milestones due on a weekend, bank holiday or closure day, and "
    "a go-live target that is not a working day.",
}


@dataclass(frozen=True)
class Finding:
    """One milestone (refs: its ref) or link (refs: predecessor, successor) behind a check."""

    refs: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class CheckResult:
    check: Check
    count: int  # what is behind it: milestones, links, missed milestones, a failed test
    population: int  # what it is counted among
    threshold: int | None
    passed: bool
    value: str  # what was found, in short: "3 of 61 (4.9 %)"
    limit: str  # the threshold, in short: "At most 5 %"
    finding: str  # one line in users' words
    findings: tuple[Finding, ...] = ()

    @property
    def share(self) -> float | None:
        return self.count / self.population if self.population else None

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for f in self.findings for r in f.refs))


@dataclass(frozen=True)
class HealthReport:
    today: date
    thresholds: HealthThresholds
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failing(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def summary(self) -> str:
        return f"{self.passed} of {len(self.results)} checks pass"


def _days(n: int) -> str:
    return f"{n} working day{'' if abs(n) == 1 else 's'}"


def _start(m: PlannedMilestone) -> date:
    return m.planned_start if m.kind == "activity" and m.planned_start else m.due


@dataclass
class _Plan:
    """What the checks share: the plan by ref, its open milestones, the links into them."""

    milestones: list[PlannedMilestone]
    dependencies: list[PlannedDependency]
    forecast: ProgrammeForecast
    calendar: WorkingCalendar
    limits: HealthThresholds
    programme_start: date | None

    def __post_init__(self) -> None:
        self.by_ref = {m.ref: m for m in self.milestones}
        self.open = [m for m in self.milestones if m.status != "complete"]
        self.preds: dict[str, list[str]] = {m.ref: [] for m in self.milestones}
        self.succs: dict[str, list[str]] = {m.ref: [] for m in self.milestones}
        for d in self.dependencies:
            self.preds[d.successor].append(d.predecessor)
            self.succs[d.predecessor].append(d.successor)
        # A link into a completed milestone is history: only links into open ones count.
        self.done = {m.ref for m in self.milestones if m.status == "complete"}
        self.links = [d for d in self.dependencies if d.successor not in self.done]

    def each(self, pool: list[PlannedMilestone], words: Callable[[Any], str | None]) -> Found:
        """The milestones of `pool` that `words` has something to say about."""
        found = [Finding((m.ref,), said) for m in pool if (said := words(m)) is not None]
        return found, len(pool)


Found = tuple[list[Finding], int]  # the findings, and how many they are counted among


def _open_ends(plan: _Plan) -> Found:
    """Go-live needs no successor. The programme's start needs no predecessor: milestones
    planned to start on the plan's earliest date, or on or before the programme's start."""
    first = min(map(_start, plan.milestones))
    start, go = max(first, plan.programme_start or first), plan.forecast.go_live_ref

    def words(m: PlannedMilestone) -> str | None:
        ends = [] if plan.preds[m.ref] or _start(m) <= start else ["no predecessor"]
        ends += [] if plan.succs[m.ref] or m.ref == go else ["no successor"]
        return " and ".join(ends) or None

    return plan.each(plan.open, words)


def _links(plan: _Plan, words: Callable[[PlannedDependency], str | None]) -> Found:
    """The links into open milestones that `words` has something to say about."""
    found = []
    for d in plan.links:
        if (said := words(d)) is not None:
            text = f"{LINK_WORDS.get(d.type, d.type)}{said}"
            found.append(Finding((d.predecessor, d.successor), text))
    return found, len(plan.links)


def _held_back(plan: _Plan) -> Found:
    """Its own planned date (start no earlier than) binds in the engine's forward pass and no
    link does, though it has predecessors. Go-live is meant to sit on its target date."""
    held = plan.forecast.held_to_planned_date

    def words(m: PlannedMilestone) -> str | None:
        if m.ref not in held or m.ref == plan.forecast.go_live_ref or not plan.preds[m.ref]:
            return None
        what = "planned start" if m.kind == "activity" else "planned date"
        return f"held to its {what}, {format_date(_start(m))}: its predecessors allow earlier"

    return plan.each(plan.open, words)


def _floats(plan: _Plan, keep: Callable[[int], bool]) -> Found:
    def words(m: PlannedMilestone) -> str | None:
        total = plan.forecast.milestones[m.ref].total_float
        return f"{_days(total)} of float" if keep(total) else None

    return plan.each(plan.open, words)


def _long(plan: _Plan) -> Found:
    acts = [m for m in plan.open if m.kind == "activity" and m.planned_start is not None]

    def words(m: PlannedMilestone) -> str | None:
        assert m.planned_start is not None
        length = plan.calendar.duration(m.planned_start, m.due)
        span = f"{format_date(m.planned_start)} to {format_date(m.due)}"
        return f"{_days(length)}, {span}" if length > plan.limits.long_duration_days else None

    return plan.each(acts, words)


def _invalid(plan: _Plan, m: PlannedMilestone) -> str | None:
    today, done = plan.forecast.today, m.completed_on
    if m.status == "complete":
        return f"completed {format_date(done)}: after today" if done and done > today else None
    if m.forecast is not None:
        return f"forecast {format_date(m.forecast)}: before today" if m.forecast < today else None
    return f"due {format_date(m.due)}: not complete, no forecast since" if m.due < today else None


def _missed(plan: _Plan) -> Found:
    """Due by the current baseline to date (one not in it: by its planned due date), and not
    complete."""
    due = [m for m in plan.milestones if (m.baseline_due or m.due) <= plan.forecast.today]

    def words(m: PlannedMilestone) -> str | None:
        by = "by the baseline" if m.baseline_due else "as planned (it is not in the baseline)"
        when = format_date(m.baseline_due or m.due)
        return None if m.status == "complete" else f"due {when} {by}"

    return plan.each(due, words)


def _day_kind(d: date, cal: WorkingCalendar) -> str:
    kind = "a closure day" if d in cal.closures else "a bank holiday"
    return f"a {d:%A}" if d.weekday() >= 5 else kind


def _non_working(plan: _Plan, m: PlannedMilestone) -> str | None:
    if (cal := plan.calendar).is_working_day(m.due):
        return None
    return f"due {format_date(m.due)}, {_day_kind(m.due, cal)}"


_FOUND: dict[str, Callable[[_Plan], Found]] = {
    "missing_logic": _open_ends,
    "leads": lambda p: _links(p, lambda d: f": a lead of {_days(-d.lag)}" if d.lag < 0 else None),
    "long_lags": lambda p: _links(
        p, lambda d: f": a lag of {_days(d.lag)}" if d.lag > p.limits.lag_days else None
    ),
    "relationship_types": lambda p: _links(p, lambda d: "" if d.type != "FS" else None),
    "constraints": _held_back,
    "high_float": lambda p: _floats(p, lambda f: f > p.limits.high_float_days),
    "negative_float": lambda p: _floats(p, lambda f: f < 0),
    "long_durations": _long,
    "invalid_dates": lambda p: p.each(p.milestones, lambda m: _invalid(p, m)),
    "missed_milestones": _missed,
    "non_working_days": lambda p: p.each(p.open, lambda m: _non_working(p, m)),
}


def _judged(check: Check, found: Found, limits: HealthThresholds) -> CheckResult:
    """Judged by the share of its findings (SHARE), their count (AT_MOST), or the share of the
    rest (AT_LEAST: the BEI, the share of those due that are done)."""
    findings, population = found
    count, limit = len(findings), getattr(limits, check.threshold or "")
    what = check.what.format(days=_days(getattr(limits, check.measure or "lag_days")))
    verb, _, rest = what.partition(" ")
    verb = _SINGULAR.get(verb, verb) if count == 1 else verb
    said = f"{count} of {population} {check.of} {verb} {rest}"
    if check.rule == AT_LEAST:
        done = population - count
        passed, bei = done * 100 >= limit * population, f"{done / (population or 1):.2f}"
        limit_text, value = f"At least {limit / 100:.2f}", f"{bei} ({done} of {population})"
        said = f"{done} of the {population} {check.of} {what}: a baseline execution index of "
        said += f"{bei}, {'at or above' if passed else 'below'} {limit / 100:.2f}"
    elif check.rule == SHARE:
        passed, limit_text = count * 100 <= limit * population, f"At most {limit} %"
        value = f"{count} of {population} ({100 * count / (population or 1):.1f} %)"
        said += f": {'within' if passed else 'over'} the limit of {limit} %"
    else:
        passed, value = count <= limit, str(count)
        limit_text = f"At most {limit}" if limit else "None"
        said += f": {'within' if passed else 'over'} the limit of {limit}"
    if not count and check.rule != AT_LEAST:
        said = f"None of the {population} {check.of} {what}"
    if not population:
        said, value = f"There are no {check.of} yet", "None"
    return CheckResult(
        check, count, population, limit, passed, value, limit_text, said + ".", tuple(findings)
    )


_SINGULAR = {"have": "has", "are": "is", "exceed": "exceeds"}


def _critical_path(plan: _Plan) -> CheckResult:
    """Delay the first open milestone on the driving path by its slack and N working days
    more: go-live's forecast must move by N. Its slack is its float against the target, less
    the slack go-live has itself (a go-live forecast before its target)."""
    fc, cal, n, go = plan.forecast, plan.calendar, CRITICAL_PATH_DELAY, plan.forecast.go_live_ref
    driving = next((r for r in fc.driving_path if r not in plan.done), go)

    def result(passed: bool, said: str, value: str, ref: str | None = None) -> CheckResult:
        found = (Finding((ref,), "the first open milestone driving go-live"),) if ref else ()
        check = CHECK_BY_KEY["critical_path"]
        return CheckResult(check, int(not passed), 1, None, passed, value, "Must pass", said, found)

    if go in plan.done:
        return result(True, "Go-live is complete: there is nothing left to test.", "Not needed")
    if driving == go and not plan.preds[go]:
        return result(False, f"Go-live, {go}, has no predecessor: nothing drives it.", "No", go)
    if driving == go:
        return result(True, "Every milestone driving go-live is complete.", "Not needed")
    gap = cal.working_days_between(fc.forecast_go_live, fc.go_live_target)  # go-live's own
    slack = max(0, fc.milestones[driving].total_float - gap)
    later = cal.add_working_days(fc.milestones[driving].forecast_due, slack + n)
    if fc.network is not None:  # only what is downstream of it, from the forecast's pass
        again = go_live_if_delayed(fc.network, driving, later)
    else:
        delayed = [replace(m, forecast=later) if m.ref == driving else m for m in plan.milestones]
        again = forecast_go_live(
            delayed, plan.dependencies, go_live_ref=go, today=fc.today, calendar=cal
        )
    moved = cal.working_days_between(fc.forecast_go_live, again)
    said = (
        f"Delaying {driving} by {_days(slack + n)} (its {_days(slack)} of slack and {n} more) "
        f"moves go-live by {_days(moved)}, from {format_date(fc.forecast_go_live)} to "
        f"{format_date(again)}"
    )
    said += "." if moved == n else f", not {n}: something other than the path holds go-live."
    return result(moved == n, said, f"Moved {moved} of {n}", driving)


def _go_live_on_a_working_day(result: CheckResult, plan: _Plan) -> CheckResult:
    target, cal = plan.forecast.go_live_target, plan.calendar
    if cal.is_working_day(target):
        return result
    said = f"The go-live target, {format_date(target)}, is {_day_kind(target, cal)}."
    limit = f"{result.limit}, and go-live on a working day"
    return replace(result, passed=False, finding=f"{said} {result.finding}", limit=limit)


def assess(
    milestones: Iterable[PlannedMilestone],
    dependencies: Iterable[PlannedDependency],
    forecast: ProgrammeForecast,
    calendar: WorkingCalendar,
    today: date,
    go_live_target: date,
    thresholds: HealthThresholds | None = None,
    *,
    programme_start: date | None = None,
) -> HealthReport:
    """Every check on the plan, with the forecast forecast_programme gave it for this go-live
    target and today; the programme's start milestones need no predecessor."""
    limits = thresholds or HealthThresholds()
    if today != forecast.today:  # the checks read the forecast's own pass over the plan
        raise ValueError(f"the forecast is for {forecast.today}, not {today}")
    forecast = replace(forecast, go_live_target=go_live_target)
    plan = _Plan(list(milestones), list(dependencies), forecast, calendar, limits, programme_start)
    results = [
        _critical_path(plan) if c.rule == MUST_PASS else _judged(c, _FOUND[c.key](plan), limits)
        for c in CHECKS
    ]
    results[-1] = _go_live_on_a_working_day(results[-1], plan)
    return HealthReport(today, limits, tuple(results))


def summary(report: HealthReport) -> str:
    """ "9 of 12 checks pass"."""
    return report.summary


def digest_line(report: HealthReport) -> str:
    """One sentence for the weekly email: "Plan health: 9 of 12 checks pass; warnings:
    missing logic (3), high float (5)."."""
    warnings = ", ".join(
        r.check.name.lower() + ("" if r.check.rule == MUST_PASS else f" ({r.count})")
        for r in report.failing
    )
    return f"Plan health: {summary(report)}" + (f"; warnings: {warnings}." if warnings else ".")
