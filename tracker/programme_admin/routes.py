"""A programme's administration: its details, calendar and closures, and its workstreams.

Only the programme's admins open these pages (403 for everyone else who sees the programme;
404 for anyone who does not). Each change is one call to services/programme_admin.py or
services/workstreams.py, which check the role again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.permissions import can_administer_programme
from tracker.domain.programme_settings import DOWN, closures_on_bank_holidays, region_name
from tracker.domain.validation import format_date
from tracker.form_errors import attempt, flash_refusal
from tracker.programme_admin.forms import ClosureForm, DetailsForm, WorkstreamForm
from tracker.security import current_viewer, require
from tracker.services import board, programme_admin, workstreams
from tracker.services.optimistic_locking import EditConflict
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused

if TYPE_CHECKING:
    from tracker.models import Programme, Workstream

bp = Blueprint("programme_admin", __name__, url_prefix="/p/<slug>")


def _programme_to_administer(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(
        can_administer_programme(current_viewer(), programme.id), programme_admin.ONLY_ITS_ADMINS
    )
    return programme


# --- details and closure days ----------------------------------------------------------------


def _settings_page(
    programme: Programme,
    details: DetailsForm,
    closure: ClosureForm,
    conflict: EditConflict | None = None,
) -> str:
    closures = programme_admin.closures(programme)
    return render_template(
        "programme_admin/settings.html",
        programme=programme,
        form=details,
        closure_form=closure,
        conflict=conflict,
        closures=closures,
        # After a change of region a closure may fall on a bank holiday: it can go.
        on_bank_holidays=closures_on_bank_holidays(
            programme.calendar_region, [c.closed_on for c in closures]
        ),
        region=region_name(programme.calendar_region),
    )


def _settings(slug: str, anchor: str | None = None) -> Response:
    return redirect(url_for("programme_admin.settings", slug=slug, _anchor=anchor))


@bp.get("/settings")
def settings(slug: str) -> str:
    programme = _programme_to_administer(slug)
    form = DetailsForm(formdata=None)
    form.fill(programme)
    form.open()
    return _settings_page(programme, form, ClosureForm(formdata=None))


@bp.post("/settings")
def update_details(slug: str) -> str | Response:
    programme = _programme_to_administer(slug)
    form = DetailsForm()
    details = form.details()
    done = attempt(
        form,
        lambda: programme_admin.update_details(current_viewer(), programme, form.seen(), details),
    )
    if done.saved:
        flash(f"Saved the details of {details.name}.", "success")
        return _settings(slug)
    return _settings_page(programme, form, ClosureForm(formdata=None), done.conflict)


@bp.post("/settings/closures")
def add_closure(slug: str) -> str | Response:
    programme = _programme_to_administer(slug)
    form = ClosureForm()
    done = attempt(
        form,
        lambda: programme_admin.add_closure(
            current_viewer(), programme, form.closed_on.data, form.reason.data
        ),
    )
    if done.saved:
        flash(f"{format_date(done.result.closed_on)} is now a closure day.", "success")
        return _settings(slug, "closures")
    details = DetailsForm(formdata=None)
    details.fill(programme)
    details.open()
    return _settings_page(programme, details, form)


@bp.post("/settings/closures/<int:closure_id>/delete")
def remove_closure(slug: str, closure_id: int) -> Response:
    programme = _programme_to_administer(slug)
    closure = programme_admin.closure_or_404(programme, closure_id)
    day = format_date(closure.closed_on)
    try:
        programme_admin.remove_closure(current_viewer(), programme, closure)
    except ChangeRefused as refused:
        flash_refusal(refused, f"The closure on {day}")
    else:
        flash(f"{day} is no longer a closure day.", "success")
    return _settings(slug, "closures")


# --- workstreams -----------------------------------------------------------------------------


def _workstreams(slug: str, code: str | None = None) -> Response:
    anchor = f"workstream-{code}" if code else None
    return redirect(url_for("programme_admin.workstream_list", slug=slug, _anchor=anchor))


def _workstream_form(programme: Programme) -> WorkstreamForm:
    form = WorkstreamForm()
    form.set_choices(workstreams.lead_choices(programme))
    return form


@bp.get("/settings/workstreams")
def workstream_list(slug: str) -> str:
    programme = _programme_to_administer(slug)
    return render_template(
        "programme_admin/workstreams.html",
        programme=programme,
        rows=workstreams.workstream_rows(programme),
    )


@bp.route("/settings/workstreams/new", methods=["GET", "POST"])
def new_workstream(slug: str) -> str | Response:
    programme = _programme_to_administer(slug)
    form = _workstream_form(programme)
    if request.method == "GET":
        form.open()
    plan = form.plan()
    done = attempt(form, lambda: workstreams.create_workstream(current_viewer(), programme, plan))
    if done.saved:
        flash(f"Added the workstream {plan.code} {plan.name}.", "success")
        return _workstreams(slug, plan.code)
    return render_template(
        "programme_admin/workstream_form.html", programme=programme, form=form, workstream=None
    )


@bp.route("/settings/workstreams/<code>/edit", methods=["GET", "POST"])
def edit_workstream(slug: str, code: str) -> str | Response:
    programme = _programme_to_administer(slug)
    workstream = board.workstream_or_404(programme, code)
    form = _workstream_form(programme)
    if request.method == "GET":
        form.fill(workstream)
        form.open()
    plan = form.plan()
    done = attempt(
        form,
        lambda: workstreams.edit_workstream(
            current_viewer(), programme, workstream, form.seen(), plan
        ),
    )
    if done.saved:
        flash(f"Saved the changes to {plan.code} {plan.name}.", "success")
        return _workstreams(slug, plan.code)
    return render_template(
        "programme_admin/workstream_form.html",
        programme=programme,
        form=form,
        workstream=workstream,
        conflict=done.conflict,
    )


def _workstream_to_change(slug: str, code: str) -> tuple[Programme, Workstream]:
    programme = _programme_to_administer(slug)
    return programme, board.workstream_or_404(programme, code)


@bp.post("/settings/workstreams/<code>/move")
def move_workstream(slug: str, code: str) -> Response:
    programme, workstream = _workstream_to_change(slug, code)
    code, direction = workstream.code, request.form.get("direction", "")
    try:
        workstreams.move_workstream(current_viewer(), programme, workstream, direction)
    except ChangeRefused as refused:
        flash_refusal(refused, f"The order of {code}")
    else:
        flash(f"Moved {code} {'down' if direction == DOWN else 'up'}.", "success")
    return _workstreams(slug, code)


@bp.post("/settings/workstreams/<code>/retire")
def retire_workstream(slug: str, code: str) -> Response:
    programme, workstream = _workstream_to_change(slug, code)
    code = workstream.code
    try:
        workstreams.retire_workstream(current_viewer(), programme, workstream, today())
    except ChangeRefused as refused:
        flash_refusal(refused, code)
    else:
        flash(
            f"Retired {code}: it has left the dashboard, the digest and the choices for new "
            "milestones, and keeps its history.",
            "success",
        )
    return _workstreams(slug, code)


@bp.post("/settings/workstreams/<code>/restore")
def restore_workstream(slug: str, code: str) -> Response:
    programme, workstream = _workstream_to_change(slug, code)
    code = workstream.code
    try:
        workstreams.restore_workstream(current_viewer(), programme, workstream)
    except ChangeRefused as refused:
        flash_refusal(refused, code)
    else:
        flash(f"Brought {code} back: it is on the dashboard and in the digest again.", "success")
    return _workstreams(slug, code)
