from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, render_template, request

from tracker.clock import today
from tracker.domain import gantt as gantt_chart
from tracker.domain import gantt_svg as gantt_picture
from tracker.domain.figures import MilestoneFilter, select_milestones, workstream_figures
from tracker.domain.scenarios import ScenarioError
from tracker.form_fields import parse_id
from tracker.plan import paging
from tracker.plan.forms import GanttFilterForm, MilestoneFilterForm
from tracker.security import current_viewer
from tracker.services import baselines, board, fragments, gantt_baselines, gantt_export
from tracker.services import scenarios as scenario_overlay
from tracker.services.history import id_names
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Baseline, Programme, Scenario, Workstream
    from tracker.scheduling import MilestoneForecast
    from tracker.services.schedule import ProgrammeSchedule

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


@dataclass(frozen=True)
class _GanttView:
    """What the Gantt page and its downloads read from the address: the rows the filters
    choose, with the ghost bars of the baseline shown."""

    programme: Programme
    schedule: ProgrammeSchedule | None
    workstreams: list[Workstream]
    form: GanttFilterForm
    choices: list[gantt_baselines.BaselineChoice]
    # ?scenario=ID: the scenario's forecast as the bars, the plan's as the ghost bars.
    overlay: scenario_overlay.Overlay | None = None

    @property
    def filtered(self) -> bool:
        return _filters_beyond_baseline(self.form)

    def rows(self) -> tuple[list[gantt_chart.GanttRow], str | None]:
        """The rows, and the label of the baseline whose ghost bars they carry."""
        if self.schedule is None:
            return [], None
        form, choices = self.form, self.choices
        # Which baseline's ghost bars to draw: a view of the chart, not a filter of its rows.
        shown = "" if form.baseline.errors else (form.baseline.data or "")
        label = next((c.label for c in choices if c.current), None)
        dates = None  # the current baseline's, which the schedule already holds
        if shown == "none":
            dates, label = {}, None
        elif shown:
            dates = gantt_baselines.baseline_dates(self.programme, int(shown))
            label = next(c.label for c in choices if str(c.id) == shown)
        if self.overlay is not None and self.overlay.problem is None:
            dates, label = self.overlay.ghosts, "the plan's forecast"
        forecast = self.schedule.forecast
        chosen = select_milestones(forecast.milestones.values(), _selection(form, self.programme))
        rows = gantt_chart.gantt_rows(
            chosen,
            self.schedule.planned(),
            self.schedule.baseline_starts,
            [ws.code for ws in self.workstreams],
            baseline=dates,
        )
        return rows, label


def _gantt_view(slug: str) -> _GanttView:
    programme = get_programme_or_404(slug)
    workstreams = board.workstreams(programme, include_retired=True)
    form = GanttFilterForm(formdata=request.args)
    choices = gantt_baselines.choices(programme)
    form.set_choices(workstreams, board.leads(programme), baselines=choices)
    form.validate()
    schedule = board.schedule_for(programme)
    overlay = None
    if request.args.get("scenario"):
        scenario_id = parse_id(request.args.get("scenario"))
        overlay = scenario_overlay.gantt_overlay(current_viewer(), programme, scenario_id)
        schedule = overlay.schedule if overlay is not None else schedule
    return _GanttView(programme, schedule, workstreams, form, choices, overlay)


@bp.get("/gantt")
def gantt(slug: str) -> str:
    view = _gantt_view(slug)
    programme, schedule = view.programme, view.schedule

    def chart() -> str:
        rows, label = view.rows()
        data = None
        if schedule is not None:
            forecast = schedule.forecast
            data = gantt_chart.chart_data(
                rows,
                schedule.dependencies,
                {ws.code: ws.name for ws in view.workstreams},
                today=forecast.today,
                go_live_target=forecast.go_live_target,
                forecast_go_live=forecast.forecast_go_live,
                driving_path=forecast.driving_path,
                go_live_ref=forecast.go_live_ref,
                baseline_label=label,
            )
        return render_template(
            "plan/_gantt_chart.html",
            programme=programme,
            schedule=schedule,
            filtered=view.filtered,
            rows=rows,
            chart=data,
        )

    return render_template(
        "plan/gantt.html",
        containerClasses="tracker-wide",  # the chart takes the whole width of the screen
        programme=programme,
        schedule=schedule,
        form=view.form,
        filtered=view.filtered,
        overlay=view.overlay,
        # ?baseline= is in the key with the other arguments (fragments.filters()); a
        # scenario's edits change without the plan's version, so its own version is too.
        gantt_html=fragments.cached(
            programme,
            "gantt",
            chart,
            fragments.filters(),
            view.overlay.key if view.overlay is not None else None,
        ),
    )


def _filters_beyond_baseline(form: GanttFilterForm) -> bool:
    """Whether anything but the baseline shown narrows the Gantt's rows."""
    return any(
        field.data
        for name, field in form._fields.items()
        if name != "baseline" and not field.errors
    )


MILESTONES_PER_PAGE = 100


@bp.get("/milestones/")
def milestones(slug: str) -> str:
    programme = get_programme_or_404(slug)
    schedule = board.schedule_for(programme)
    workstreams = board.workstreams(programme, include_retired=True)
    form = MilestoneFilterForm(formdata=request.args)
    form.set_choices(workstreams, board.leads(programme), board.owners(programme))
    form.validate()
    # The page is in the address with the filters, so the cache key (the query string) has it.
    number = paging.page_number(request.args.get("page"))

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
        shown = paging.page_of(found, number, MILESTONES_PER_PAGE, what="milestones")
        return render_template(
            "plan/_milestone_list.html",
            programme=programme,
            schedule=schedule,
            form=form,
            filtered=_filtered(form),
            page=shown,
            # Each page link keeps the filters and the sort.
            link_args={k: v for k, v in request.args.items() if k != "page"},
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
        beside=_beside_scenario(programme, found.ref),
    )


@dataclass(frozen=True)
class BesideScenario:
    """A milestone in the plan and in a scenario (?scenario=ID): its forecast in each (None
    when it cannot be worked out: `problem` says why), and how far it moves."""

    scenario: Scenario
    in_plan: MilestoneForecast | None
    in_scenario: MilestoneForecast | None
    moves: int | None  # working days, positive: later
    problem: str | None


def _beside_scenario(programme: Programme, ref: str) -> BesideScenario | None:
    """The milestone beside the scenario ?scenario=ID names (404 unless the reader may see
    it); None without one."""
    if not request.args.get("scenario"):
        return None
    scenario = scenario_overlay.scenario_or_404(
        current_viewer(), programme, parse_id(request.args.get("scenario"))
    )
    try:
        compared = scenario_overlay.comparison(programme, scenario)
    except ScenarioError as refused:
        return BesideScenario(scenario, None, None, None, str(refused))
    before = compared.before.milestones.get(ref)
    after = compared.after.milestones.get(ref)
    moves = None
    if before is not None and after is not None:
        schedule = board.schedule_for(programme)
        assert schedule is not None  # comparison() had it
        moves = schedule.calendar.working_days_between(before.forecast_due, after.forecast_due)
    return BesideScenario(scenario, before, after, moves, None)


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


@bp.get("/gantt.svg")
def gantt_svg(slug: str) -> Response:
    """The Gantt chart as an SVG file, with the page's filters and baseline."""
    programme, svg = _gantt_drawing(slug)
    return _gantt_file(programme, svg, "svg", "image/svg+xml")


@bp.get("/gantt.png")
def gantt_png(slug: str) -> Response:
    """The same chart as a PNG, drawn on the server from the SVG."""
    programme, svg = _gantt_drawing(slug)
    return _gantt_file(programme, gantt_export.png(svg), "png", "image/png")


def _gantt_drawing(slug: str) -> tuple[Programme, str]:
    """The chart's SVG for the filters in the address, read as the Gantt page reads them, and
    kept with the page's fragments (the same for every reader, renewed by every change)."""
    view = _gantt_view(slug)
    schedule = view.schedule
    if schedule is None:
        abort(404, description="There is no plan to draw yet.")

    def draw() -> str:
        forecast = schedule.forecast
        rows, _ = view.rows()
        total = len(forecast.milestones)
        note = f"All {total} milestones"
        if view.filtered:
            note = f"{len(rows)} of {total} milestones, filtered as on the Gantt page"
        return gantt_picture.gantt_svg(
            rows,
            {ws.code: ws.name for ws in view.workstreams},
            programme=view.programme.name,
            today=forecast.today,
            go_live_target=forecast.go_live_target,
            forecast_go_live=forecast.forecast_go_live,
            workstream_rags=forecast.workstream_rags,
            note=note,
        )

    overlay = view.overlay.key if view.overlay is not None else None
    svg = fragments.cached(view.programme, "gantt.svg", draw, fragments.filters(), overlay)
    return view.programme, str(svg)


def _gantt_file(programme: Programme, body: str | bytes, extension: str, mimetype: str) -> Response:
    name = f"{programme.slug}-gantt-{today().isoformat()}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
