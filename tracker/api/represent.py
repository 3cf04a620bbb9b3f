"""Records as the API shows them: plain JSON objects, dates as ISO 8601 strings.

Each function here has a schema of the same name in tracker/api/openapi.py; the OpenAPI test
(schemathesis) checks every answer against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tracker.domain.board import on_critical_path, risk_band
from tracker.domain.notation import format_predecessor
from tracker.domain.risks import Band
from tracker.models import Milestone, Programme, Risk, StatusUpdate
from tracker.scheduling import MilestoneForecast
from tracker.scheduling.programme import PlannedDependency, PlannedMilestone
from tracker.services.programmes import WorkstreamSummary
from tracker.services.schedule import ProgrammeSchedule


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def programme(p: Programme) -> dict[str, Any]:
    baseline = p.current_baseline
    return {
        "slug": p.slug,
        "name": p.name,
        "from_organisation": p.from_organisation,
        "to_organisation": p.to_organisation,
        "start_date": _day(p.start_date),
        "go_live_date": _day(p.go_live_date),
        "go_live_ref": p.go_live_ref,
        "calendar_region": p.calendar_region,
        "baseline": baseline.label if baseline is not None else None,
    }


def programme_detail(p: Programme, schedule: ProgrammeSchedule | None) -> dict[str, Any]:
    summary = None
    if schedule is not None:
        f = schedule.forecast
        summary = {
            "go_live_ref": f.go_live_ref,
            "go_live_target": _day(f.go_live_target),
            "forecast_go_live": _day(f.forecast_go_live),
            "status": f.status,
            "go_live_float": f.go_live_float,
            "slip_days": f.slip_days,
            "baseline_slip_days": f.baseline_slip_days,
            "working_days_to_go_live": f.working_days_to_go_live,
            "today": _day(f.today),
            "critical_path": [
                m.ref
                for m in sorted(
                    f.milestones.values(), key=lambda m: (m.forecast_start, m.forecast_due)
                )
                if on_critical_path(m)
            ],
            "driving_path": list(f.driving_path),
        }
    return {**programme(p), "schedule": summary}


def workstream(summary: WorkstreamSummary, rag: str | None) -> dict[str, Any]:
    ws = summary.workstream
    return {
        "code": ws.code,
        "name": ws.name,
        "description": ws.description or "",
        "leads": [person.name for person in ws.leads],
        "rag": rag,
        "milestones_total": summary.total,
        "milestones_complete": summary.complete,
    }


def milestone(
    row: Milestone, m: MilestoneForecast, planned: PlannedMilestone | None
) -> dict[str, Any]:
    """A milestone as stored, with its figures from the schedule."""
    return {
        "ref": row.ref,
        "title": row.title,
        "workstream": m.workstream,
        "owner": m.owner,
        "kind": row.kind,
        "is_key": row.is_key,
        "status": row.status,
        "planned_start": _day(row.planned_start),
        "due_date": _day(row.due_date),
        "forecast_date": _day(row.forecast_date),
        "forecast_reason": row.forecast_reason,
        "blocked_reason": row.blocked_reason,
        "completed_on": _day(row.completed_on),
        "completed_by": row.completed_by.name if row.completed_by is not None else None,
        "evidence_text": row.evidence_text,
        "evidence_url": row.evidence_url,
        "version": row.version,
        "forecast_start": _day(m.forecast_start),
        "forecast_due": _day(m.forecast_due),
        "total_float": m.total_float,
        "free_float": m.free_float,
        "critical": on_critical_path(m),
        "on_driving_path": m.on_driving_path,
        "rag": m.rag,
        "rag_reason": m.rag_reason,
        "overdue": m.overdue,
        "slip_days": m.slip_days,
        "baseline_due": _day(planned.baseline_due) if planned is not None else None,
        "baseline_slip_days": m.baseline_slip_days,
    }


def _link(ref: str, d: PlannedDependency) -> dict[str, Any]:
    return {"ref": ref, "type": d.type, "lag_days": d.lag}


def milestone_detail(
    row: Milestone, m: MilestoneForecast, schedule: ProgrammeSchedule
) -> dict[str, Any]:
    """A milestone with its links both ways and the schedule's reading of it."""
    links = schedule.dependencies
    return {
        **milestone(row, m, schedule.planned().get(row.ref)),
        "predecessors": [_link(d.predecessor, d) for d in links if d.successor == row.ref],
        "successors": [_link(d.successor, d) for d in links if d.predecessor == row.ref],
        "explanation": m.explanation,
    }


def dependency(
    dependency_id: int, predecessor: str, successor: str, type_: str, lag_days: int
) -> dict[str, Any]:
    return {
        "id": dependency_id,
        "predecessor": predecessor,
        "successor": successor,
        "type": type_,
        "lag_days": lag_days,
        "notation": format_predecessor(predecessor, type_, lag_days),
    }


def risk(r: Risk, today: date, bands: Sequence[Band]) -> dict[str, Any]:
    return {
        "ref": r.ref,
        "title": r.title,
        "description": r.description or "",
        "workstream": r.workstream.code if r.workstream is not None else None,
        "owner": r.owner.name,
        "consequence": r.consequence,
        "likelihood": r.likelihood,
        "score": r.score,
        "band": risk_band(r.score, bands),
        "target_consequence": r.target_consequence,
        "target_likelihood": r.target_likelihood,
        "target_score": r.target_score,
        "mitigation": r.mitigation or "",
        "status": r.status,
        "closed_note": r.closed_note,
        "raised_on": _day(r.raised_on),
        "review_on": _day(r.review_on),
        "review_overdue": r.status == "open" and r.review_on is not None and r.review_on < today,
        "version": r.version,
    }


def status_update(u: StatusUpdate) -> dict[str, Any]:
    return {
        "workstream": u.workstream.code,
        "week_start": _day(u.week_start),
        "rag": u.rag,
        "achievements": u.achievements or "",
        "next_steps": u.next_steps or "",
        "issues": u.issues or "",
        "author": u.author.name if u.author is not None else None,
        "updated_at": _moment(u.updated_at),
    }
