"""What-if scenario pages: the list, a scenario's edits and what they do, two side by side,
the quick question from a milestone page, and applying one to the plan.

Any member makes and changes their own scenarios; a shared one is read by every member; one
kept private answers 404 to everyone else, as a missing one does. Every change is one call to
services/scenarios.py, which checks the role again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.permissions import (
    can_apply_scenario,
    can_change_scenario,
    can_make_scenario,
)
from tracker.domain.scenarios import Edit, ScenarioError
from tracker.domain.validation import format_date
from tracker.form_errors import attempt, flash_refusal
from tracker.form_fields import parse_id
from tracker.scenarios.forms import (
    EDIT_FORMS,
    ApplyForm,
    DetailsForm,
    EditForm,
    KeepForm,
    ScenarioForm,
    edit_form,
    parse_days,
)
from tracker.security import current_viewer, require
from tracker.services import board
from tracker.services import scenarios as service
from tracker.services.optimistic_locking import EditConflict, Seen
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused

if TYPE_CHECKING:
    from tracker.models import Programme, Scenario

bp = Blueprint("scenarios", __name__, url_prefix="/p/<slug>/scenarios")

QUICK_DAYS = 5  # what the quick question asks when no number is given


def _scenario(slug: str, scenario_id: str) -> tuple[Programme, Scenario]:
    programme = get_programme_or_404(slug)
    return programme, service.scenario_or_404(current_viewer(), programme, parse_id(scenario_id))


def _changeable(slug: str, scenario_id: str) -> tuple[Programme, Scenario]:
    programme, scenario = _scenario(slug, scenario_id)
    require(
        can_change_scenario(current_viewer(), programme.id, scenario.owner_id), service.ONLY_YOURS
    )
    return programme, scenario


def _page(slug: str, scenario_id: int, anchor: str | None = None) -> Response:
    return redirect(url_for("scenarios.show", slug=slug, scenario_id=scenario_id, _anchor=anchor))


# --- the list ------------------------------------------------------------------------------


def _index_page(programme: Programme, form: ScenarioForm) -> str:
    viewer = current_viewer()
    found = service.scenarios_for(viewer, programme)
    return render_template(
        "scenarios/index.html",
        programme=programme,
        form=form,
        mine=[s for s in found if s.owner_id == viewer.person_id],
        shared=[s for s in found if s.owner_id != viewer.person_id],
        may_make=can_make_scenario(viewer, programme.id),
        has_plan=board.schedule_for(programme) is not None,
    )


@bp.get("/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return _index_page(programme, ScenarioForm(formdata=None))


@bp.post("/")
def create(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_make_scenario(viewer, programme.id), service.ONLY_MEMBERS)
    form = ScenarioForm()
    done = attempt(
        form,
        lambda: service.create_scenario(
            viewer, programme, form.name.data or "", form.description.data or ""
        ),
    )
    if done.saved:
        flash(f"Made the scenario “{done.result.name}”: add its edits below.", "success")
        return _page(slug, done.result.id)
    return _index_page(programme, form)


# --- one scenario --------------------------------------------------------------------------


def _show_page(
    programme: Programme,
    scenario: Scenario,
    *,
    failed: EditForm | None = None,
    conflict: EditConflict | None = None,
) -> str:
    viewer = current_viewer()
    mine = can_change_scenario(viewer, programme.id, scenario.owner_id)
    if failed is not None:
        form = failed
    else:
        chosen = request.args.get("add", "")
        form = edit_form(chosen if chosen in EDIT_FORMS else next(iter(EDIT_FORMS)), formdata=None)
        form.open(scenario.version)
    form.offer(_workstream_choices(programme))
    comparison, problem = None, None
    try:
        edits = service.edits_of(scenario)
        comparison = service.comparison(programme, scenario)
    except ScenarioError as refused:
        problem = str(refused)
        edits = _readable(scenario)
    changed = service.plan_changed_since(programme, scenario)
    return render_template(
        "scenarios/show.html",
        programme=programme,
        scenario=scenario,
        edits=edits,
        comparison=comparison,
        problem=problem,
        plan_changed=changed,
        what_changed=service.what_changed(programme, scenario) if changed else [],
        form=form,
        kinds=EDIT_FORMS,
        conflict=conflict,
        mine=mine,
        may_apply=can_apply_scenario(viewer, programme.id),
        others=[s for s in service.scenarios_for(viewer, programme) if s.id != scenario.id],
    )


def _workstream_choices(programme: Programme) -> list[tuple[str, str]]:
    """The workstreams a new milestone may join: the programme's own, not retired."""
    return [(ws.code, ws.name) for ws in board.workstreams(programme)]


def _readable(scenario: Scenario) -> tuple[Edit, ...]:
    try:
        return service.edits_of(scenario)
    except ScenarioError:
        return ()


@bp.get("/<scenario_id>")
def show(slug: str, scenario_id: str) -> str:
    programme, scenario = _scenario(slug, scenario_id)
    return _show_page(programme, scenario)


@bp.route("/<scenario_id>/details", methods=["GET", "POST"])
def details(slug: str, scenario_id: str) -> str | Response:
    programme, scenario = _changeable(slug, scenario_id)
    form = DetailsForm()
    if request.method == "GET":
        form.name.data = scenario.name
        form.description.data = scenario.description
        form.open(scenario.version)
    scenario_id_ = scenario.id
    done = attempt(
        form,
        lambda: service.rename(
            current_viewer(),
            scenario,
            form.seen(),
            form.name.data or "",
            form.description.data or "",
        ),
    )
    if done.saved:
        flash(f"Saved the scenario “{done.result.name}”.", "success")
        return _page(slug, scenario_id_)
    return render_template(
        "scenarios/details.html",
        programme=programme,
        scenario=scenario,
        form=form,
        conflict=done.conflict,
    )


@bp.post("/<scenario_id>/edits")
def add_edit(slug: str, scenario_id: str) -> str | Response:
    programme, scenario = _changeable(slug, scenario_id)
    kind = request.form.get("edit", "")
    if kind not in EDIT_FORMS:
        flash("Choose a kind of edit from the forms below.", "warning")
        return _page(slug, scenario.id, "add-an-edit")
    form = edit_form(kind)
    form.offer(_workstream_choices(programme))
    scenario_id_ = scenario.id
    done = attempt(
        form, lambda: service.add_edit(current_viewer(), scenario, form.seen(), form.edit())
    )
    if done.saved:
        edit = service.edits_of(done.result)[-1]
        flash(f"Added the edit: {edit.summary}.", "success")
        return _page(slug, scenario_id_, "what-it-does")
    return _show_page(programme, scenario, failed=form, conflict=done.conflict)


@bp.post("/<scenario_id>/edits/remove")
def remove_edit(slug: str, scenario_id: str) -> Response:
    _, scenario = _changeable(slug, scenario_id)
    scenario_id_ = scenario.id
    try:
        removed = service.remove_edit(
            current_viewer(),
            scenario,
            Seen(parse_id(request.form.get("version"))),
            parse_id(request.form.get("position")),
        )
    except ChangeRefused as refused:
        flash_refusal(refused, "The scenario")
    else:
        flash(f"Took the edit away: {removed.summary}.", "success")
    return _page(slug, scenario_id_, "edits")


@bp.post("/<scenario_id>/share")
def share(slug: str, scenario_id: str) -> Response:
    _, scenario = _changeable(slug, scenario_id)
    shared = request.form.get("shared") == "1"
    name, scenario_id_ = scenario.name, scenario.id
    try:
        service.share(
            current_viewer(), scenario, Seen(parse_id(request.form.get("version"))), shared
        )
    except ChangeRefused as refused:
        flash_refusal(refused, "The scenario")
    else:
        if shared:
            flash(f"Shared “{name}”: every member of the programme can read it.", "success")
        else:
            flash(f"“{name}” is private again: only you can see it.", "success")
    return _page(slug, scenario_id_)


@bp.post("/<scenario_id>/rebase")
def rebase(slug: str, scenario_id: str) -> Response:
    _, scenario = _changeable(slug, scenario_id)
    scenario_id_ = scenario.id
    try:
        service.rebase(current_viewer(), scenario, Seen(parse_id(request.form.get("version"))))
    except ChangeRefused as refused:
        flash_refusal(refused, "The scenario")
    else:
        flash("Rebased: the scenario is now made on the plan as it is today.", "success")
    return _page(slug, scenario_id_)


@bp.post("/<scenario_id>/delete")
def delete(slug: str, scenario_id: str) -> Response:
    _, scenario = _changeable(slug, scenario_id)
    name, scenario_id_ = scenario.name, scenario.id
    try:
        service.delete_scenario(
            current_viewer(), scenario, Seen(parse_id(request.form.get("version")))
        )
    except ChangeRefused as refused:
        flash_refusal(refused, "The scenario")
        return _page(slug, scenario_id_)
    flash(f"Deleted the scenario “{name}”. The plan is as it was.", "success")
    return redirect(url_for("scenarios.index", slug=slug))


@bp.route("/<scenario_id>/apply", methods=["GET", "POST"])
def apply(slug: str, scenario_id: str) -> str | Response:
    programme, scenario = _scenario(slug, scenario_id)
    viewer = current_viewer()
    require(can_apply_scenario(viewer, programme.id), service.ONLY_ADMINS)
    form = ApplyForm()
    if request.method == "GET":
        form.label.data = f"Before the scenario “{scenario.name}”, {format_date(today())}"
        form.open(scenario.version)
    name = scenario.name
    done = attempt(
        form,
        lambda: service.apply_to_plan(
            viewer, scenario, form.seen(), form.label.data or "", today=today()
        ),
    )
    if done.saved:
        flash(
            f"Applied “{name}” to the plan: {len(done.result.made)} edits made, after the "
            f"baseline “{done.result.baseline_label}”.",
            "success",
        )
        return redirect(url_for("dashboard.show", slug=slug))
    changed = service.plan_changed_since(programme, scenario)
    comparison, problem = None, None
    try:
        comparison = service.comparison(programme, scenario)
    except ScenarioError as refused:
        problem = str(refused)
    return render_template(
        "scenarios/apply.html",
        programme=programme,
        scenario=scenario,
        form=form,
        conflict=done.conflict,
        comparison=comparison,
        problem=problem,
        edits=service.edits_of(scenario),
        plan_changed=changed,
        what_changed=service.what_changed(programme, scenario) if changed else [],
    )


# --- two side by side ----------------------------------------------------------------------


@bp.get("/compare")
def compare(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    if not (request.args.get("a") and request.args.get("b")):
        flash("Choose the two scenarios to compare.", "warning")
        return redirect(url_for("scenarios.index", slug=slug, _anchor="compare-two"))
    a = service.scenario_or_404(viewer, programme, parse_id(request.args.get("a")))
    b = service.scenario_or_404(viewer, programme, parse_id(request.args.get("b")))
    both, problem = None, None
    try:
        both = service.side_by_side(programme, a, b)
    except ScenarioError as refused:
        problem = str(refused)
    return render_template(
        "scenarios/compare.html", programme=programme, a=a, b=b, both=both, problem=problem
    )


# --- the quick question --------------------------------------------------------------------


def _quick_page(programme: Programme, ref: str, days: int | None, form: KeepForm) -> str:
    answer, problem = None, None
    if not ref:
        problem = "Ask from a milestone's page, so that it is clear which milestone slips"
    elif days is None:
        problem = "Enter how many working days it slips, as a whole number, like 5"
    else:
        try:
            answer = service.quick_question(programme, ref, days)
        except ScenarioError as refused:
            problem = refused.problem
    return render_template(
        "scenarios/quick.html",
        programme=programme,
        ref=ref,
        days=days,
        answer=answer,
        problem=problem,
        form=form,
        may_keep=can_make_scenario(current_viewer(), programme.id) and answer is not None,
    )


@bp.get("/quick")
def quick(slug: str) -> str:
    programme = get_programme_or_404(slug)
    ref = (request.args.get("ref") or "").strip().upper()[:21]
    raw = request.args.get("days")
    days = parse_days(raw) if raw is not None else QUICK_DAYS
    form = KeepForm(formdata=None)
    form.ref.data, form.days.data = ref, "" if days is None else str(days)
    form.name.data = f"{ref} slips {days} working day{'' if days == 1 else 's'}"
    return _quick_page(programme, ref, days, form)


@bp.post("/quick")
def keep(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_make_scenario(viewer, programme.id), service.ONLY_MEMBERS)
    form = KeepForm()
    done = attempt(
        form,
        lambda: service.create_scenario(viewer, programme, form.name.data or "", "", [form.edit()]),
    )
    if done.saved:
        flash(f"Kept as the scenario “{done.result.name}”.", "success")
        return _page(slug, done.result.id)
    ref = (form.ref.data or "").strip().upper()
    return _quick_page(programme, ref, parse_days(form.days.data), form)
