from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, render_template, request

from tracker.clock import today
from tracker.domain import gantt as gantt_chart
from tracker.domain.figures import MilestoneFilter, select_milestones, workstream_figures
from tracker.form_fields import parse_id
from tracker.plan.forms import GanttFilterForm, MilestoneFilterForm
from tracker.services import baselines, board, fragments
from tracker.services.history import id_names
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Baseline, Programme

bp = Blueprint("plan", __name__, url_prefix="/p/<slug>")


def _selection(form: GanttFilterForm, programme: Programme) -> MilestoneFilter:
    """The filter a valid form asks for; fields that failed validation are left out."""
    ok = {name for name, field in form._fields.items() if not field.errors}
    selection = MilestoneFilter(
        critical="critical" in ok and bool(form.critical.data),
        late="late" in ok and bool(form.late.data),
    )
    codes: frozenset[str] | None = None
    if "workstream" in ok and form.workstream.data:
        codes = frozenset({form.workstream.data})
    if "lead" in ok and form.lead.data:
        led = board.workstreams_led_by(programme, int(form.lead.data))
        codes = led if codes is None else codes & led
    selection = replace(selection, workstreams=codes)
    if isinstance(form, MilestoneFilterForm):
        if "owner" in ok and form.owner.data:
            selection = replace(
                selection, refs=board.refs_owned_by(programme, int(form.owner.data))
            )
        selection = replace(
            selection,
            status=(form.status.data or None) if "status" in ok else None,
            rag=(form.rag.data or None) if "rag" in ok else None,
            incomplete="open" in ok and bool(form.open.data),
            overdue="overdue" in ok and bool(form.overdue.data),
            key="key" in ok and bool(form.key.data),
            due_from=form.due_from.data if "due_from" in ok else None,
            due_to=form.due_to.data if "due_to" in ok else None,
        )
    return selection


def _filtered(form: GanttFilterForm) -> bool:
    return any(
        field.data and name not in ("sort", "descending")
        for name, field in form._fields.items()
        if not field.errors
    )


@bp.get("/gantt")
def gantt(slug: str) -> str:
    programme = get_programme_or_404(slug)
    schedule = board.schedule_for(programme)
    workstreams = board.workstreams(programme, include_retired=True)
    form = GanttFilterForm(formdata=request.args)
    form.set_choices(workstreams, board.leads(programme))
    form.validate()

    def chart() -> str:
        rows, data = [], None
        if schedule is not None:
            forecast = schedule.forecast
            chosen = select_milestones(forecast.milestones.values(), _selection(form, programme))
            rows = gantt_chart.gantt_rows(
                chosen,
                schedule.planned(),
                schedule.baseline_starts,
                [ws.code for ws in workstreams],
            )
            data = gantt_chart.chart_data(
                rows,
                schedule.dependencies,
                {ws.code: ws.name for ws in workstreams},
                today=forecast.today,
                go_live_target=forecast.go_live_target,
                forecast_go_live=forecast.forecast_go_live,
            )
        return render_template(
            "plan/_gantt_chart.html",
            programme=programme,
            schedule=schedule,
            filtered=_filtered(form),
            rows=rows,
            chart=data,
        )

    return render_template(
        "plan/gantt.html",
        containerClasses="tracker-wide",  # the chart takes the whole width of the screen
        programme=programme,
        schedule=schedule,
        form=form,
        filtered=_filtered(form),
        gantt_html=fragments.cached(programme, "gantt", chart, fragments.filters()),
    )


@bp.get("/milestones/")
def milestones(slug: str) -> str:
    programme = get_programme_or_404(slug)
    schedule = board.schedule_for(programme)
    workstreams = board.workstreams(programme, include_retired=True)
    form = MilestoneFilterForm(formdata=request.args)
    form.set_choices(workstreams, board.leads(programme), board.owners(programme))
    form.validate()

    def listing() -> str:
        found = []
        if schedule is not None:
            sort = form.sort.data if not form.sort.errors else "due"
            found = select_milestones(
                schedule.forecast.milestones.values(),
                _selection(form, programme),
                sort=sort or "due",
                descending=bool(form.descending.data),
            )
        return render_template(
            "plan/_milestone_list.html",
            programme=programme,
            schedule=schedule,
            form=form,
            filtered=_filtered(form),
            milestones=found,
            names={ws.code: ws.name for ws in workstreams},
        )

    return render_template(
        "plan/milestones.html",
        programme=programme,
        schedule=schedule,
        form=form,
        filtered=_filtered(form),
        listing_html=fragments.cached(programme, "milestones", listing, fragments.filters()),
    )


@bp.get("/milestones/<ref>")
def milestone(slug: str, ref: str) -> str:
    programme = get_programme_or_404(slug)
    found = board.milestone_or_404(programme, ref)
    schedule = board.schedule_for(programme)
    forecast = schedule.forecast if schedule else None
    planned = schedule.planned().get(found.ref) if schedule else None
    events = board.milestone_history(found)
    return render_template(
        "plan/milestone.html",
        programme=programme,
        milestone=found,
        forecast=forecast.milestones.get(found.ref) if forecast else None,
        forecasts=forecast.milestones if forecast else {},
        baseline_start=schedule.baseline_starts.get(found.ref) if schedule else None,
        baseline_due=planned.baseline_due if planned else None,
        baseline_label=schedule.baseline_label if schedule else None,
        history=events,
        history_names=id_names(events),
    )


@bp.get("/workstreams/<code>")
def workstream(slug: str, code: str) -> str:
    programme = get_programme_or_404(slug)
    found = board.workstream_or_404(programme, code)
    schedule = board.schedule_for(programme)
    mine = []
    figures = None
    if schedule is not None:
        forecast = schedule.forecast
        mine = select_milestones(
            forecast.milestones.values(), MilestoneFilter(workstreams=frozenset({found.code}))
        )
        figures = workstream_figures([found.code], mine, forecast.workstream_rags)[found.code]
    return render_template(
        "plan/workstream.html",
        programme=programme,
        workstream=found,
        milestones=mine,
        figures=figures,
        highlights=board.highlights(found, today()),
        today=today(),
    )


def _chosen_baseline(programme: Programme) -> Baseline | None:
    """The baseline named by ?baseline=ID, else the one slip is measured against."""
    raw = request.args.get("baseline", "")
    number = parse_id(raw)
    if raw and number is None:
        abort(404, description=f"'{raw[:40]}' is not a baseline.")
    if not raw and programme.current_baseline is None:
        return None
    return baselines.baseline_or_404(programme, number)


@bp.get("/baselines/")
def baseline_comparison(slug: str) -> str:
    """The baselines, and one of them compared with the plan milestone by milestone."""
    programme = get_programme_or_404(slug)
    chosen = _chosen_baseline(programme)
    lines, summary = baselines.comparison(programme, chosen) if chosen else ([], None)
    return render_template(
        "plan/baselines.html",
        programme=programme,
        baselines=baselines.baselines(programme),
        chosen=chosen,
        lines=lines,
        summary=summary,
        names={ws.code: ws.name for ws in board.workstreams(programme, include_retired=True)},
    )


@bp.get("/baselines/compare.csv")
def baseline_csv(slug: str) -> Response:
    return _baseline_export(slug, "csv")


@bp.get("/baselines/compare.xlsx")
def baseline_xlsx(slug: str) -> Response:
    return _baseline_export(slug, "xlsx")


def _baseline_export(slug: str, format: str) -> Response:
    programme = get_programme_or_404(slug)
    chosen = _chosen_baseline(programme)
    if chosen is None:
        abort(404, description="There is no baseline to compare with yet.")
    lines, _ = baselines.comparison(programme, chosen)
    name = f"{programme.slug}-baseline-comparison-{today().isoformat()}.{format}"
    if format == "csv":
        body, mimetype = baselines.comparison_csv(lines), "text/csv; charset=utf-8"
    else:
        body = baselines.comparison_xlsx(lines, chosen.label)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
