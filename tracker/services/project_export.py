"""The programme read out for Microsoft Project: the plan as stored, mapped by
tracker/domain/project_export.py; the page hands it to MPXJ to write as MSPDI
(tracker/project_files/files.py).

Reads only, in a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from tracker import clock
from tracker.domain.project_data import ProjectData
from tracker.domain.project_export import (
    ExportBaseline,
    ExportWorkstream,
    baseline_numbers,
    project_of,
)
from tracker.domain.validation import PLAUSIBLE_DATES
from tracker.extensions import db
from tracker.models import Baseline, BaselineItem, Milestone, Programme, Workstream
from tracker.services.schedule import (
    calendar_for,
    date_window,
    planned_dependencies,
    planned_milestones,
)


def project_for(programme: Programme) -> ProjectData:
    """The programme as a Project plan (plain data)."""
    refs: dict[int, str] = {}
    milestones = planned_milestones(programme, refs=refs)
    dependencies = planned_dependencies(programme, refs)
    descriptions: dict[str, str] = {}
    project_uids: dict[str, int] = {}
    for ref, description, uid in db.session.execute(
        select(Milestone.ref, Milestone.description, Milestone.project_uid).where(
            Milestone.programme_id == programme.id
        )
    ):
        if description:
            descriptions[ref] = description
        if uid is not None:
            project_uids[ref] = uid
    return project_of(
        programme.name,
        calendar_for(programme),
        _workstreams(programme),
        milestones,
        dependencies,
        go_live=PLAUSIBLE_DATES.clamp(programme.go_live_date),
        today=clock.today(),
        descriptions=descriptions,
        project_uids=project_uids,
        baselines=_baselines(programme),
    )


def _workstreams(programme: Programme) -> list[ExportWorkstream]:
    """Every workstream, retired ones too: their milestones are still in the plan."""
    rows = db.session.execute(
        select(Workstream.code, Workstream.name, Workstream.description)
        .where(Workstream.programme_id == programme.id)
        .order_by(Workstream.display_order, Workstream.code)
    )
    return [ExportWorkstream(code, name, description or "") for code, name, description in rows]


def _baselines(programme: Programme) -> list[ExportBaseline]:
    """The baselines Project has room for (the current one and the ten most recent others),
    each milestone's dates by its ref now (a baseline item keeps the ref it was taken with;
    one whose milestone was deleted has no task to go on), read into the programme's window
    as the schedule reads the plan's."""
    ids: dict[str, int] = {}  # by label, unique in a programme
    found = []
    for id_, label, taken_at in db.session.execute(
        select(Baseline.id, Baseline.label, Baseline.taken_at)
        .where(Baseline.programme_id == programme.id)
        .order_by(Baseline.taken_at.desc(), Baseline.id.desc())
    ):
        ids[label] = id_
        found.append(ExportBaseline(label, taken_at, current=id_ == programme.current_baseline_id))
    kept = [b for _, b in baseline_numbers(found)]
    if not kept:
        return []
    dates: dict[int, dict[str, tuple[date | None, date]]] = {ids[b.label]: {} for b in kept}
    window = date_window(programme)
    rows = db.session.execute(
        select(
            BaselineItem.baseline_id,
            Milestone.ref,
            BaselineItem.planned_start,
            BaselineItem.due_date,
        )
        .join(Milestone, Milestone.id == BaselineItem.milestone_id)
        .where(BaselineItem.baseline_id.in_(dates))
    )
    for baseline_id, ref, start, due in rows:
        dates[baseline_id][ref] = (
            None if start is None else window.clamp(start),
            window.clamp(due),
        )
    return [replace(b, dates=dates[ids[b.label]]) for b in kept]
