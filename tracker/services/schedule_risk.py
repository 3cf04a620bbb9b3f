"""Schedule risk analysis on the stored plan: the chance of making go-live, P50/P80/P90 and
what moves go-live most (tracker/scheduling/risk_analysis.py does the arithmetic).

The inputs are the schedule the other pages share (board.schedule_for: milestones, links,
calendar, today, go-live and its target), each milestone's own three-point estimate, the
programme's defaults (Programme.risk_defaults over the domain's) and the open risks that have
an impact in working days and milestones they threaten.

A result is kept in RiskAnalysisResult by its key: the plan version, the day, the scenario
(if any), the iterations and the seed. Any change to the programme gives it a new plan
version (tracker/audit.py), so a stored result is never stale for its key. A small plan is
worked out at once (a few hundred milestones take well under half a second); a big one in a
background thread, one per key per process, while the page says it is being worked out
(docs/risk-analysis.md, "The pages"). Storing a result is the system's bookkeeping, not a
person's change: its own unit of work that checks no role, as services/digest_ledger.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.domain import permissions
from tracker.domain.forecast_effect import Plan
from tracker.domain.permissions import Viewer
from tracker.domain.validation import FieldError, format_date, raise_if
from tracker.extensions import db
from tracker.models import Milestone, Programme, Risk, RiskAnalysisResult
from tracker.scheduling.risk_analysis import (
    DEFAULT_ITERATIONS,
    RiskAnalysis,
    RiskDriver,
    RiskEvent,
    StatusDefaults,
    ThreePoint,
    UncertaintyDefaults,
    analyse_schedule_risk,
    probability_for_likelihood,
    uncertainty_for,
)
from tracker.services import board
from tracker.services.forecast_effect import plan_of
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since
from tracker.services.unit_of_work import allow, unit_of_work

# Milestones x iterations worked out while the page waits: about 0.4 s of CPU on the
# benchmark's machine (docs/risk-analysis.md: 2,000 milestones x 5,000 iterations in 0.8 s).
INLINE_COST = 5_000_000
# How long a page waits for a background run before saying it is being worked out.
WAIT_SECONDS = 1.5
# A background run that failed is shown as failed for this long before it is tried again.
RETRY_SECONDS = 60.0
# What an admin may ask for on the page (the engine takes up to 1,000,000 iterations).
MIN_ITERATIONS = 100
MAX_PAGE_ITERATIONS = 100_000
MAX_SEED = 2**31 - 1
STATUSES = ("not_started", "in_progress", "blocked")
ONLY_ITS_ADMINS = "Only the programme's admins change its schedule risk analysis defaults."
FIELD = "risk_defaults"


# --- the inputs ----------------------------------------------------------------------------


def defaults_of(programme: Programme) -> UncertaintyDefaults:
    """The programme's defaults by status: what it stores (Programme.risk_defaults), the
    domain's default for everything else. A stored value the domain refuses (written around
    the form) is read as the default."""
    domain = UncertaintyDefaults()
    stored = programme.risk_defaults or {}
    found: dict[str, StatusDefaults] = {}
    for status in STATUSES:
        default: StatusDefaults = getattr(domain, status)
        given = stored.get(status) or {}
        found[status] = StatusDefaults(
            _three_point(given.get("point_slip")) or default.point_slip,
            _three_point(given.get("activity_percent")) or default.activity_percent,
        )
    try:
        return UncertaintyDefaults(**found)
    except ValueError:
        return domain


def defaults_json(defaults: UncertaintyDefaults) -> dict[str, Any]:
    """The defaults as Programme.risk_defaults stores them."""
    return {
        status: {
            "point_slip": _triple(getattr(defaults, status).point_slip),
            "activity_percent": _triple(getattr(defaults, status).activity_percent),
        }
        for status in STATUSES
    }


def _triple(tp: ThreePoint) -> list[int]:
    return [tp.optimistic, tp.likely, tp.pessimistic]


def _three_point(value: object) -> ThreePoint | None:
    if (
        isinstance(value, list | tuple)
        and len(value) == 3
        and all(type(v) is int for v in value)
        and value[0] <= value[1] <= value[2]
    ):
        return ThreePoint(*value)
    return None


# --- the defaults form's fields -------------------------------------------------------------

KINDS = ("point", "activity")
POINTS = ("optimistic", "likely", "pessimistic")
POINT_WORDS = {"optimistic": "optimistic", "likely": "most likely", "pessimistic": "pessimistic"}
STATUS_WORDS = {"not_started": "not started", "in_progress": "in progress", "blocked": "blocked"}
# What a programme may set (Decision, docs/risk-analysis.md "The defaults page"): a point
# milestone from a year early to two years late; an activity's remaining duration from none
# of it (-100 %) to six times it (+500 %). The engine takes more; these are the sensible ones.
DEFAULT_RANGES = {"point": (-260, 520), "activity": (-100, 500)}
DEFAULTS_ENTITY = "schedule risk analysis defaults"


def default_field(status: str, kind: str, point: str) -> str:
    """ "not_started_point_optimistic": a default's field on the form and in messages."""
    return f"{status}_{kind}_{point}"


DEFAULT_FIELDS = tuple(default_field(s, k, p) for s in STATUSES for k in KINDS for p in POINTS)


def _of_kind(defaults: StatusDefaults, kind: str) -> ThreePoint:
    return defaults.point_slip if kind == "point" else defaults.activity_percent


def default_values(defaults: UncertaintyDefaults) -> dict[str, int]:
    """The defaults as the form's fields hold them, by field."""
    found: dict[str, int] = {}
    for status in STATUSES:
        for kind in KINDS:
            tp = _of_kind(getattr(defaults, status), kind)
            for point, value in zip(POINTS, _triple(tp), strict=True):
                found[default_field(status, kind, point)] = value
    return found


def _default_words(status: str, kind: str, point: str) -> str:
    """ "The most likely slip of a point milestone not started" """
    what = "slip of a point milestone" if kind == "point" else "change to an activity"
    return f"The {POINT_WORDS[point]} {what} {STATUS_WORDS[status]}"


def check_defaults(values: Mapping[str, object]) -> list[FieldError]:
    """What is wrong with the typed defaults, by field: each a whole number in its range
    (working days for a point milestone, a percentage for an activity), and optimistic, most
    likely and pessimistic never going down. A field left out or None is the domain's
    default."""
    errors: list[FieldError] = []
    domain = default_values(UncertaintyDefaults())
    for status in STATUSES:
        for kind in KINDS:
            low, high = DEFAULT_RANGES[kind]
            unit = "a whole number of working days" if kind == "point" else "a whole percentage"
            read: list[int | None] = []
            for point in POINTS:
                field = default_field(status, kind, point)
                value = values.get(field)
                if value is None:
                    value = domain[field]
                if type(value) is not int or not low <= value <= high:
                    errors.append(
                        FieldError(
                            field,
                            f"{_default_words(status, kind, point)} must be {unit} "
                            f"from {low} to {high}",
                        )
                    )
                    read.append(None)
                else:
                    read.append(value)
            # Each no lower than the one before (said once, on the later field).
            for i in (1, 2):
                earlier, value = read[i - 1], read[i]
                if earlier is not None and value is not None and value < earlier:
                    errors.append(
                        FieldError(
                            default_field(status, kind, POINTS[i]),
                            f"{_default_words(status, kind, POINTS[i])} must be at least the "
                            f"{POINT_WORDS[POINTS[i - 1]]} ({earlier})",
                        )
                    )
    return errors


def defaults_from_values(values: Mapping[str, object]) -> UncertaintyDefaults:
    """The defaults the typed values stand for (checked first: check_defaults); a field left
    out or None is the domain's default."""
    domain = default_values(UncertaintyDefaults())
    given = {f: values.get(f) for f in DEFAULT_FIELDS}
    number = {f: (v if type(v) is int else domain[f]) for f, v in given.items()}

    def three(status: str, kind: str) -> ThreePoint:
        return ThreePoint(*(number[default_field(status, kind, p)] for p in POINTS))

    return UncertaintyDefaults(
        **{s: StatusDefaults(three(s, "point"), three(s, "activity")) for s in STATUSES}
    )


def _changed(defaults: UncertaintyDefaults) -> dict[str, Any]:
    """Only what differs from the domain's defaults, as Programme.risk_defaults stores it (so
    `{}` is every default, and a better default in a later release reaches the programmes
    that never changed it)."""
    domain = UncertaintyDefaults()
    found: dict[str, Any] = {}
    for status in STATUSES:
        mine, theirs = getattr(defaults, status), getattr(domain, status)
        differs = {
            name: _triple(getattr(mine, name))
            for name in ("point_slip", "activity_percent")
            if getattr(mine, name) != getattr(theirs, name)
        }
        if differs:
            found[status] = differs
    return found


def uses_own_defaults(programme: Programme) -> bool:
    """Whether the programme has set defaults of its own (else the tracker's are in use)."""
    return defaults_of(programme) != UncertaintyDefaults()


def three_point_words(tp: ThreePoint, kind: str) -> str:
    """ "0, 0, +10 working days" or "-10 %, 0 %, +50 %": a default as the pages show it."""

    def signed(v: int) -> str:
        return f"+{v}" if v > 0 else str(v)

    if kind == "point":
        return (
            f"{signed(tp.optimistic)}, {signed(tp.likely)}, {signed(tp.pessimistic)} working days"
        )
    return ", ".join(f"{signed(v)} %" for v in _triple(tp))


@unit_of_work
def change_defaults(
    actor: Viewer,
    programme: Programme,
    seen: Seen,
    defaults: UncertaintyDefaults | Mapping[str, object] | None,
) -> UncertaintyDefaults:
    """Set the programme's defaults, and return them: an UncertaintyDefaults; or what was
    typed on the defaults page, by field (DEFAULT_FIELDS; one left out or None is the
    domain's default, and each is checked: check_defaults); or None, back to the domain's.
    Refused when someone else changed them after the form was opened (the programme has no
    version column: the audit trail says, as for its plan health thresholds)."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    if seen.opened_at or seen.required:
        meanwhile = [
            c for c in changes_since("Programme", programme.id, seen.opened_at) if c.field == FIELD
        ]
        if meanwhile:
            raise EditConflict(0, meanwhile)
    if defaults is None:
        chosen = UncertaintyDefaults()
    elif isinstance(defaults, UncertaintyDefaults):
        chosen = defaults
    else:
        raise_if(check_defaults(defaults), entity=DEFAULTS_ENTITY)
        chosen = defaults_from_values(defaults)
    # A new dict, never the stored one changed in place: the JSON column sees only assignment.
    programme.risk_defaults = _changed(chosen)
    return chosen


def three_points(programme: Programme) -> dict[str, ThreePoint]:
    """Every milestone's own three-point estimate, by ref: one query."""
    rows = db.session.execute(
        select(
            Milestone.ref,
            Milestone.optimistic_days,
            Milestone.likely_days,
            Milestone.pessimistic_days,
        ).where(Milestone.programme_id == programme.id, Milestone.optimistic_days.is_not(None))
    )
    return {
        ref: ThreePoint(o, m, p)
        for ref, o, m, p in rows
        if o is not None and m is not None and p is not None
    }


def risk_events(programme: Programme, refs: set[str]) -> list[RiskEvent]:
    """The open risks with an impact in working days and milestones in the plan (`refs`):
    each happens with the probability its current likelihood stands for."""
    risks = db.session.scalars(
        select(Risk)
        .where(
            Risk.programme_id == programme.id,
            Risk.status == "open",
            Risk.impact_days.is_not(None),
        )
        .options(selectinload(Risk.milestones))
        .order_by(Risk.ref)
    )
    events = []
    for r in risks:
        threatened = tuple(sorted(m.ref for m in r.milestones if m.ref in refs))
        if threatened and r.impact_days:
            events.append(
                RiskEvent(
                    r.ref,
                    r.title,
                    probability_for_likelihood(r.likelihood),
                    r.impact_days,
                    threatened,
                )
            )
    return events


@dataclass(frozen=True)
class Inputs:
    """Everything one run takes, as plain data."""

    plan: Plan
    uncertainty: dict[str, ThreePoint]
    risk_events: tuple[RiskEvent, ...]

    @property
    def cost(self) -> int:
        return len(self.plan.milestones)


def inputs_for(programme: Programme, plan: Plan) -> Inputs:
    """The run's inputs for this plan (the programme's own, or a scenario's)."""
    kinds = {m.ref: m.kind for m in plan.milestones}
    # A stored estimate that no longer fits its milestone (a scenario made it an activity,
    # or removed it) is left out rather than refusing the whole run.
    own = {
        ref: tp
        for ref, tp in three_points(programme).items()
        if ref in kinds and (kinds[ref] != "activity" or tp.optimistic >= 0)
    }
    uncertainty = uncertainty_for(
        plan.milestones,
        today=plan.today,
        calendar=plan.calendar,
        defaults=defaults_of(programme),
        overrides=own,
        go_live_ref=plan.go_live_ref,
    )
    return Inputs(plan, uncertainty, tuple(risk_events(programme, set(kinds))))


def analyse(
    inputs: Inputs, iterations: int, seed: int, progress: Any = None
) -> tuple[RiskAnalysis, float]:
    """Run the analysis; the result and the seconds it took (wall clock: what the page waited,
    or the background thread ran for)."""
    plan = inputs.plan
    started = time.perf_counter()
    result = analyse_schedule_risk(
        plan.milestones,
        plan.dependencies,
        go_live_ref=plan.go_live_ref,
        go_live_target=plan.go_live_target,
        today=plan.today,
        calendar=plan.calendar,
        uncertainty=inputs.uncertainty,
        risk_events=inputs.risk_events,
        iterations=iterations,
        seed=seed,
        progress=progress,
    )
    return result, time.perf_counter() - started


# --- results: stored, or being worked out ------------------------------------------------


def result_key(
    version: str, today: date, iterations: int, seed: int, scenario_key: str | None = None
) -> str:
    """ "3f9c...e1.20220404.plan.5000.0": what a stored result is found by."""
    return f"{version}.{today:%Y%m%d}.{scenario_key or 'plan'}.{iterations}.{seed}"


@dataclass(frozen=True)
class Outcome:
    """A run's state: done (`analysis`), being worked out (`done` of `total` iterations), or
    failed (`error`, in words)."""

    key: str
    iterations: int
    seed: int
    analysis: RiskAnalysis | None = None
    seconds: float | None = None
    done: int = 0
    total: int = 0
    error: str | None = None
    # The analysis is of the plan before its latest changes (the dashboard's card on a big
    # plan: summary_for), or, with no analysis, none has been started for the latest.
    earlier: bool = False

    @property
    def state(self) -> str:
        if self.analysis is not None:
            return "done"
        return "failed" if self.error else "working"

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0

    @property
    def chance(self) -> str | None:
        """ "Chance of making 1 July 2022: 38 %" when done."""
        return None if self.analysis is None else chance_sentence(self.analysis)

    def status_json(self) -> dict[str, Any]:
        """What status.json answers."""
        return {
            "state": self.state,
            "done": self.done,
            "total": self.total or self.iterations,
            "percent": 100 if self.analysis is not None else self.percent,
            "error": self.error,
            "message": progress_message(self),
        }


def progress_message(outcome: Outcome) -> str:
    """ "Being worked out: 2,000 of 5,000 iterations done." """
    if outcome.analysis is not None:
        return "Worked out."
    if outcome.error:
        return f"The analysis could not be worked out: {outcome.error}"
    return (
        f"Being worked out: {outcome.done:,} of {outcome.total or outcome.iterations:,} "
        "iterations done."
    )


@dataclass
class _Job:
    thread: threading.Thread
    done: int = 0
    total: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    seconds: float | None = None
    failed_at: float | None = None  # time.monotonic()

    def retry_due(self) -> bool:
        """A failed run is tried again a while later (the page says it failed meanwhile)."""
        return self.failed_at is not None and time.monotonic() - self.failed_at > RETRY_SECONDS


class _Jobs:
    """Background runs in this process, by (programme id, key): one per key."""

    def __init__(self) -> None:
        self._items: dict[tuple[int, str], _Job] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> _Job | None:
        with self._lock:
            return self._items.get(key)

    def start(self, key: tuple[int, str], make: Any) -> _Job:
        """The job for the key, started by `make(job)` (a thread, not yet running) if there
        is none running or done."""
        with self._lock:
            job = self._items.get(key)
            if job is not None and not job.retry_due():
                return job
            job = _Job(thread=threading.Thread())
            job.thread = make(job)
            self._items[key] = job
            # Finished jobs of other keys are dropped: their results are in the database.
            for other in [k for k, j in self._items.items() if k != key and j.result]:
                del self._items[other]
        job.thread.start()
        return job

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every running job (tests, and a clean shutdown)."""
        with self._lock:
            threads = [j.thread for j in self._items.values()]
        for t in threads:
            if t.is_alive():
                t.join(timeout)


jobs = _Jobs()


@unit_of_work
def keep_result(programme_id: int, key: str, result: dict[str, Any], seconds: float) -> None:
    """Store a result, and drop the programme's results for older plan versions. Not a
    person's change: it checks no role. A result stored meanwhile by another worker wins."""
    version = key.split(".", 1)[0]
    db.session.execute(
        delete(RiskAnalysisResult).where(
            RiskAnalysisResult.programme_id == programme_id,
            RiskAnalysisResult.key.not_like(f"{version}.%"),
        )
    )
    try:
        with db.session.begin_nested():
            db.session.add(
                RiskAnalysisResult(
                    programme_id=programme_id, key=key, result=result, seconds=seconds
                )
            )
    except IntegrityError:
        pass  # the same key stored at the same moment: it is the same result


def stored(programme_id: int, key: str) -> tuple[dict[str, Any], float] | None:
    row = db.session.execute(
        select(RiskAnalysisResult.result, RiskAnalysisResult.seconds).where(
            RiskAnalysisResult.programme_id == programme_id, RiskAnalysisResult.key == key
        )
    ).first()
    return None if row is None else (row[0], row[1])


def analysis_for(
    programme: Programme,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
    plan: Plan | None = None,
    scenario_key: str | None = None,
    inline: bool | None = None,
    wait: float | None = None,
    start: bool = True,
) -> Outcome | None:
    """The analysis of the programme's plan as the pages have it today (or of `plan`, a
    scenario's, with its `scenario_key`): from the store when it was worked out before, else
    worked out now (`inline` True, or a small plan) or in the background, waiting up to
    `wait` seconds for it. None when the programme has no plan to analyse yet.

    A plan the engine cannot schedule, or a stored estimate it refuses, is an Outcome with
    its error in words."""
    schedule = board.schedule_for(programme)
    if schedule is None:
        return None
    plan = plan or plan_of(programme, schedule)
    key = result_key(board.plan_version(programme), plan.today, iterations, seed, scenario_key)
    found = stored(programme.id, key)
    if found is not None:
        return Outcome(key, iterations, seed, analysis_from_json(found[0]), found[1])
    job_key = (programme.id, key)
    job = jobs.get(job_key)
    if job is None or job.retry_due():
        try:
            inputs = inputs_for(programme, plan)
        except ValueError as exc:
            return Outcome(key, iterations, seed, error=str(exc))
        limit = current_app.config.get("SCHEDULE_RISK_INLINE_COST", INLINE_COST)
        small = inputs.cost * iterations <= limit
        if not start and not (inline or small):
            return _earlier(programme.id, key, iterations, seed)
        if inline or (inline is None and small):
            try:
                result, seconds = analyse(inputs, iterations, seed)
            except ValueError as exc:  # ScheduleError is one
                return Outcome(key, iterations, seed, error=str(exc))
            keep_result(programme.id, key, result.as_json(), seconds)
            return Outcome(key, iterations, seed, result, seconds)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        job = jobs.start(
            job_key,
            lambda job: threading.Thread(
                target=_work_out,
                args=(app, job, programme.id, key, inputs, iterations, seed),
                name=f"schedule-risk-{programme.id}",
                daemon=True,
            ),
        )
    if wait is None:
        wait = float(current_app.config.get("SCHEDULE_RISK_WAIT_SECONDS", WAIT_SECONDS))
    if wait > 0 and job.thread.is_alive():
        job.thread.join(wait)
    return _outcome_of(job, key, iterations, seed)


def summary_for(programme: Programme) -> Outcome | None:
    """The analysis for the dashboard's summary (services/schedule_risk's defaults), never
    waiting. A plan small enough is worked out there and then; for a bigger one the dashboard
    starts nothing, since a background run would compete for the processor with the requests
    that follow a change (at 2,000 milestones it made the next dashboard and API answer half
    as slow again): it shows the last result stored, from before the latest changes, and the
    analysis page works out the new one."""
    return analysis_for(programme, wait=0, start=False)


def _earlier(programme_id: int, key: str, iterations: int, seed: int) -> Outcome:
    """The newest stored analysis of the programme's plan with these iterations and seed,
    from an earlier plan version or day (results for older versions are dropped only when a
    newer one is stored); with none, an outcome saying none has been started."""
    _version, _day, rest = key.split(".", 2)
    rows = db.session.execute(
        select(RiskAnalysisResult.result, RiskAnalysisResult.seconds)
        .where(
            RiskAnalysisResult.programme_id == programme_id,
            RiskAnalysisResult.key.like(f"%.{rest}"),
        )
        .order_by(RiskAnalysisResult.computed_at.desc(), RiskAnalysisResult.id.desc())
        .limit(1)
    ).first()
    if rows is None:
        return Outcome(key, iterations, seed, earlier=True)
    return Outcome(key, iterations, seed, analysis_from_json(rows[0]), rows[1], earlier=True)


def status_for(
    programme: Programme,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int = 0,
    plan: Plan | None = None,
    scenario_key: str | None = None,
) -> Outcome | None:
    """The run's state for status.json (of the plan, or of a scenario's `plan` with its
    `scenario_key`), never waiting (it starts the run if no process of this server has)."""
    return analysis_for(
        programme, iterations=iterations, seed=seed, plan=plan, scenario_key=scenario_key, wait=0
    )


def _outcome_of(job: _Job, key: str, iterations: int, seed: int) -> Outcome:
    if job.result is not None:
        return Outcome(key, iterations, seed, analysis_from_json(job.result), job.seconds)
    return Outcome(key, iterations, seed, done=job.done, total=job.total, error=job.error)


def _work_out(
    app: Flask, job: _Job, programme_id: int, key: str, inputs: Inputs, iterations: int, seed: int
) -> None:
    """A background run: the engine on plain data, then the result stored in the thread's
    own app context (and so its own session)."""

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    job.total = iterations
    try:
        result, seconds = analyse(inputs, iterations, seed, progress)
        data = result.as_json()
        with app.app_context():
            keep_result(programme_id, key, data, seconds)
        job.seconds = seconds
        job.result = data
    except Exception as exc:  # noqa: BLE001 (the page says it failed rather than wait on)
        job.error = str(exc) or type(exc).__name__
        job.failed_at = time.monotonic()
        app.logger.exception("schedule risk analysis %s failed", key)


def analysis_from_json(data: Mapping[str, Any]) -> RiskAnalysis:
    """A stored result (RiskAnalysis.as_json) as the RiskAnalysis it was."""
    day = date.fromisoformat
    return RiskAnalysis(
        go_live_ref=data["go_live_ref"],
        go_live_target=day(data["go_live_target"]),
        today=day(data["today"]),
        iterations=int(data["iterations"]),
        seed=int(data["seed"]),
        forecast_go_live=day(data["forecast_go_live"]),
        chance_of_target=float(data["chance_of_target"]),
        p50=day(data["p50"]),
        p80=day(data["p80"]),
        p90=day(data["p90"]),
        histogram=tuple((day(d), int(c)) for d, c in data["histogram"]),
        s_curve=tuple((day(d), float(s)) for d, s in data["s_curve"]),
        criticality={str(k): float(v) for k, v in data["criticality"].items()},
        drivers=tuple(
            RiskDriver(d["kind"], d["ref"], d["title"], d["swing_days"], d["occurred"])
            for d in data["drivers"]
        ),
    )


# --- what the board reads ------------------------------------------------------------------


def percent(share: float) -> int:
    """A share as a whole percentage: 0.384 is 38. Never 0 or 100 unless it is exactly so,
    so "0 %" always means no iteration at all made it."""
    value = round(share * 100)
    if value == 0 and share > 0:
        return 1
    if value == 100 and share < 1:
        return 99
    return value


def chance_sentence(analysis: RiskAnalysis) -> str:
    """ "Chance of making 1 July 2022: 38 %" """
    return (
        f"Chance of making {format_date(analysis.go_live_target)}: "
        f"{percent(analysis.chance_of_target)} %"
    )


def scenario_sentence(plan: RiskAnalysis, scenario: RiskAnalysis, name: str) -> str:
    """The scenario's chance beside the plan's, in words: "With the scenario 'Contingency',
    the chance of making 1 July 2022 rises from 10 % to 46 %." (falls, or stays at); when
    the scenario moves the go-live target, both chances, each of its own target. Compared as
    the whole percentages the page shows, so it never says "rises from 10 % to 10 %"."""
    before, after = percent(plan.chance_of_target), percent(scenario.chance_of_target)
    if plan.go_live_target != scenario.go_live_target:
        return (
            f"The plan's chance of making {format_date(plan.go_live_target)} is {before} %. "
            f"The scenario '{name}' moves the go-live target to "
            f"{format_date(scenario.go_live_target)}: its chance of making that is {after} %."
        )
    if after == before:
        change = f"stays at {before} %"
    else:
        change = f"{'rises' if after > before else 'falls'} from {before} % to {after} %"
    return (
        f"With the scenario '{name}', the chance of making "
        f"{format_date(plan.go_live_target)} {change}."
    )


def short_date(day: date, beside: date) -> str:
    """ "12 July", or "12 July 2023" when in another year than `beside`."""
    return f"{day.day} {day:%B}" if day.year == beside.year else format_date(day)


def digest_line(analysis: RiskAnalysis) -> str:
    """ "Chance of making 1 July 2022: 38 % (P80 12 July)." for the weekly email."""
    return f"{chance_sentence(analysis)} (P80 {short_date(analysis.p80, analysis.go_live_target)})."


def digest_line_for(programme: Programme) -> str | None:
    """The digest's line on today's plan (worked out now if it must be); None when there is
    no plan, or it cannot be worked out."""
    outcome = analysis_for(programme, inline=True)
    if outcome is None or outcome.analysis is None:
        return None
    return digest_line(outcome.analysis)


def drivers_for_board(analysis: RiskAnalysis, n: int = 10) -> list[tuple[RiskDriver, str]]:
    """The `n` milestones and risks that move go-live most, with a swing, each with its label
    ("PEO-03 Staff transfer"); those that never moved it are left out."""
    found = []
    for d in analysis.drivers:
        if d.swing_days is None or abs(d.swing_days) < 0.05:
            continue
        found.append((d, f"{d.ref} {d.title}"))
        if len(found) == n:
            break
    return found


def parse_run(values: Mapping[str, str]) -> tuple[int, int, list[FieldError]]:
    """Iterations and seed from the page's form (GET parameters), and what is wrong with
    them, by field; the defaults where nothing was given."""
    errors: list[FieldError] = []

    def whole(field: str, default: int, low: int, high: int, words: str) -> int:
        text = (values.get(field) or "").strip().replace(",", "")
        if not text:
            return default
        try:
            number = int(text)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            errors.append(
                FieldError(field, f"The {words} must be a whole number from {low:,} to {high:,}")
            )
            return default
        return number

    iterations = whole(
        "iterations", DEFAULT_ITERATIONS, MIN_ITERATIONS, MAX_PAGE_ITERATIONS, "iterations"
    )
    seed = whole("seed", 0, 0, MAX_SEED, "seed")
    return iterations, seed, errors


def milestone_titles(programme: Programme) -> dict[str, str]:
    """Each milestone's title by ref, from the schedule the pages share (no query)."""
    schedule = board.schedule_for(programme)
    return {} if schedule is None else {m.ref: m.title for m in schedule.milestones}
