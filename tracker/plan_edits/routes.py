"""The programme office's plan edits. Every view checks can_edit_plan, for GET and POST, and
each change is one call to services/plan_edits.py, which checks it again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.forecast_effect import Effect
from tracker.domain.notation import format_predecessor
from tracker.domain.permissions import can_edit_plan
from tracker.domain.validation import FieldError, format_date
from tracker.form_errors import attempt, show_errors
from tracker.form_fields import parse_id
from tracker.plan_edits.forms import (
    BaselineForm,
    ConfirmMoveForm,
    DependencyForm,
    EditMilestoneForm,
    GoLiveForm,
    MilestoneForm,
    NewMilestoneForm,
)
from tracker.security import current_viewer, forbid
from tracker.services import baselines, board, go_live_moves, plan, plan_edits
from tracker.services.forecast_effect import edit_effect
from tracker.services.optimistic_locking import EditConflict, opened_now
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused, Refusal
from tracker.updates import confirming

if TYPE_CHECKING:
    from tracker.models import Milestone, Programme

bp = Blueprint("plan_edits", __name__, url_prefix="/p/<slug>")

CHOOSE_PREDECESSOR = "Choose the milestone it depends on"


def _programme_for_editing(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    if not can_edit_plan(viewer, programme.id):
        forbid(plan_edits.only_the_office(viewer, programme.id))
    return programme


def _milestone_page(slug: str, ref: str) -> Response:
    return redirect(url_for("plan.milestone", slug=slug, ref=ref))


def _set_choices(programme: Programme, form: MilestoneForm, *, editing: bool = False) -> None:
    """A retired workstream is a choice only for a milestone that is already in one (the
    service refuses moving another into it)."""
    form.set_choices(board.workstreams(programme, include_retired=editing), plan.people())


@bp.get("/plan-settings")
def index(slug: str) -> str:
    programme = _programme_for_editing(slug)
    return render_template(
        "plan_edits/index.html",
        programme=programme,
        targets=plan.go_live_history(programme),
        baselines=plan.baselines(programme),
    )


@bp.route("/milestones/new", methods=["GET", "POST"])
def new_milestone(slug: str) -> str | Response:
    programme = _programme_for_editing(slug)
    form = NewMilestoneForm()
    _set_choices(programme, form)
    if request.method == "GET":
        code = request.args.get("workstream", "").upper()
        form.workstream.data = next(
            (str(ws.id) for ws in board.workstreams(programme) if ws.code == code), ""
        )
    else:
        # Every problem at once: what could not be read, then what the plan's rules refuse.
        ref, changes = form.ref.data or "", form.plan()
        outcome = attempt(
            form, lambda: plan_edits.add_milestone(current_viewer(), programme, ref, changes)
        )
        if outcome.saved:
            flash(f"Added {ref} {changes.title.strip()}.", "success")
            return _milestone_page(slug, ref)
    return render_template(
        "plan_edits/milestone_form.html", programme=programme, form=form, milestone=None
    )


@bp.route("/milestones/<ref>/edit", methods=["GET", "POST"])
def edit_milestone(slug: str, ref: str) -> str | Response:
    programme = _programme_for_editing(slug)
    milestone = board.milestone_or_404(programme, ref, links=False)
    ref = milestone.ref
    form = EditMilestoneForm()
    _set_choices(programme, form, editing=True)
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(milestone)
        form.open(milestone.version)
    # "Change" on the confirm step falls through: the form again, as typed, unchecked.
    elif not confirming.pressed(confirming.CHANGE):
        changes = form.plan()
        message = f"Saved the changes to {ref} {changes.title.strip()}."

        def confirm(again: bool) -> str | None:
            effect = edit_effect(programme, ref, changes)
            if effect is None or not effect.needs_confirming:
                return None
            return _confirm_edit(programme, milestone, form, effect, plan_changed=again)

        answer = confirming.save_or_confirm(
            programme,
            form,
            lambda: plan_edits.edit_milestone(current_viewer(), milestone, form.seen(), changes),
            confirm,
        )
        if isinstance(answer, str):
            return answer
        if answer.saved:
            flash(message, "success")
            return _milestone_page(slug, ref)
        conflict = answer.conflict
    return render_template(
        "plan_edits/milestone_form.html",
        programme=programme,
        form=form,
        milestone=milestone,
        conflict=conflict,
    )


def _confirm_edit(
    programme: Programme,
    milestone: Milestone,
    form: EditMilestoneForm,
    effect: Effect,
    *,
    plan_changed: bool,
) -> str:
    """An edit of the dates or kind that uses up slack: what it does, nothing saved yet."""
    changes = form.plan()
    return render_template(
        "plan_edits/edit_confirm.html",
        programme=programme,
        milestone=milestone,
        changes=changes,
        effect=effect,
        hidden={**form.typed(), "plan_version": board.plan_version(programme)},
        plan_changed=plan_changed,
    )


@bp.route("/milestones/<ref>/delete", methods=["GET", "POST"])
def delete_milestone(slug: str, ref: str) -> str | Response:
    programme = _programme_for_editing(slug)
    milestone = board.milestone_or_404(programme, ref)
    links = plan.milestone_links(milestone)
    form = FlaskForm()
    if request.method == "POST":
        label = f"{milestone.ref} {milestone.title}"
        outcome = attempt(form, lambda: plan_edits.delete_milestone(current_viewer(), milestone))
        if outcome.saved:
            gone = outcome.result
            also = f" and its {len(gone)} link{'s' if len(gone) != 1 else ''}" if gone else ""
            flash(f"Deleted {label}{also}.", "success")
            return redirect(url_for("plan.milestones", slug=slug))
    return render_template(
        "plan_edits/delete_milestone.html",
        programme=programme,
        milestone=milestone,
        links=links,
        form=form,
    )


@bp.route("/milestones/<ref>/dependencies/new", methods=["GET", "POST"])
def new_dependency(slug: str, ref: str) -> str | Response:
    programme = _programme_for_editing(slug)
    milestone = board.milestone_or_404(programme, ref, links=False)
    others = [m for m in plan.programme_milestones(programme) if m.id != milestone.id]
    form = DependencyForm()
    form.set_choices(others)
    if request.method == "POST":
        predecessor = next((m for m in others if m.id == form.predecessor_id()), None)
        type_, lag = form.type.data, form.lag_days.data
        ref = milestone.ref

        def change() -> object:
            if predecessor is None:  # nothing chosen, or not one of the list
                raise ChangeRefused(
                    Refusal.INVALID,
                    CHOOSE_PREDECESSOR,
                    errors=[FieldError("predecessor", CHOOSE_PREDECESSOR)],
                )
            return plan_edits.link(current_viewer(), predecessor, milestone, type_ or "", lag)

        outcome = attempt(form, change)
        if outcome.saved and predecessor is not None:
            words = format_predecessor(predecessor.ref, type_ or "", lag or 0)
            flash(f"{ref} now depends on {words}.", "success")
            return _milestone_page(slug, ref)
    return render_template(
        "plan_edits/dependency_form.html", programme=programme, milestone=milestone, form=form
    )


@bp.post("/dependencies/<int:dependency_id>/delete")
def delete_dependency(slug: str, dependency_id: int) -> Response:
    programme = _programme_for_editing(slug)
    link = plan.dependency_or_404(programme, dependency_id)
    predecessor, successor = link.predecessor.ref, link.successor.ref
    # Back to the milestone page the button was on.
    back = predecessor if request.form.get("ref") == predecessor else successor
    words = f"{format_predecessor(predecessor, link.type, link.lag_days)} -> {successor}"
    plan_edits.unlink(current_viewer(), link)
    flash(f"Removed the link {words}.", "success")
    return _milestone_page(slug, back)


@bp.route("/baselines/new", methods=["GET", "POST"])
def new_baseline(slug: str) -> str | Response:
    programme = _programme_for_editing(slug)
    form = BaselineForm()
    if request.method == "POST":
        outcome = attempt(
            form,
            lambda: plan_edits.take_baseline(
                current_viewer(),
                programme,
                form.label.data or "",
                note=form.note.data or "",
                make_current=bool(form.make_current.data),
            ),
        )
        if outcome.saved:
            baseline = outcome.result
            current = " Slip is now measured against it." if form.make_current.data else ""
            count = len(baseline.items)
            flash(
                f"Took the baseline “{baseline.label}” of {count} milestones.{current}", "success"
            )
            return redirect(url_for("plan_edits.index", slug=slug))
    return render_template("plan_edits/baseline_form.html", programme=programme, form=form)


@bp.route("/go-live", methods=["GET", "POST"])
def go_live(slug: str) -> str | Response:
    """The new go-live date, and whether open milestones move with it: moving them leads to
    the preview, nothing saved until it is confirmed."""
    programme = _programme_for_editing(slug)
    form = GoLiveForm()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.open()
    elif request.form.get("change"):
        return _go_live_page(programme, form)  # back from the preview: choices as they were
    elif form.moves_milestones():
        # Every problem at once: what could not be read, then what the rules refuse.
        problems = _move_problems(programme, form)
        if form.validate_on_submit() and not problems:
            return _preview(programme, form, opened_at=form.opened_at.data or opened_now())
        show_errors(form, problems)
    else:
        note = go_live_moves.go_live_day_note(programme, form.target_date.data)
        outcome = attempt(
            form,
            lambda: plan_edits.move_go_live(
                current_viewer(),
                programme,
                form.seen(),
                form.target_date.data,
                form.reason.data or "",
                today=today(),
            ),
        )
        if outcome.saved:
            target = outcome.result
            said = f"The go-live target is now {format_date(target.target_date)}."
            flash(said + (f" {note}" if note else ""), "success")
            return redirect(url_for("plan_edits.index", slug=slug))
        conflict = outcome.conflict
    return _go_live_page(programme, form, conflict)


@bp.post("/go-live/confirm")
def confirm_go_live_move(slug: str) -> str | Response:
    """The preview's "Confirm and move": one change, the baseline, go-live and the plan."""
    programme = _programme_for_editing(slug)
    form = ConfirmMoveForm()
    outcome = attempt(
        form,
        lambda: go_live_moves.move_go_live_with_plan(
            current_viewer(),
            programme,
            form.seen(),
            form.target_date.data,
            form.reason.data or "",
            form.chosen_only_after(),
            today=today(),
            plan_version=form.plan_version.data or "",
            scope=form.scope.data,
        ),
    )
    if outcome.saved:
        flash(outcome.result.message, "success")
        return redirect(url_for("dashboard.show", slug=slug))
    if isinstance(outcome.conflict, go_live_moves.PlanChanged):
        # The preview again, worked out from the plan as it is now.
        return _preview(programme, form, opened_at=opened_now(), changed=outcome.conflict)
    return _go_live_page(programme, form, outcome.conflict)


def _move_problems(
    programme: Programme, form: GoLiveForm, moving: bool = False
) -> list[FieldError]:
    return go_live_moves.move_problems(
        programme,
        form.target_date.data,
        form.reason.data,
        form.scope.data,
        form.only_after.data,
        moving=moving,
    )


def _go_live_page(
    programme: Programme, form: GoLiveForm, conflict: EditConflict | None = None
) -> str:
    return render_template(
        "plan_edits/go_live_form.html",
        programme=programme,
        form=form,
        conflict=conflict,
        go_live_note=go_live_moves.go_live_day_note(programme),
    )


def _preview(
    programme: Programme,
    form: GoLiveForm,
    *,
    opened_at: str,
    changed: EditConflict | None = None,
) -> str:
    new_date = form.target_date.data
    assert new_date is not None  # only after the rules found nothing wrong
    only_after = form.chosen_only_after()
    preview = go_live_moves.preview_move(programme, new_date, only_after)
    hidden = {
        "target_date": new_date.isoformat(),
        "reason": form.reason.data or "",
        "scope": form.scope.data,
        "only_after": only_after.isoformat() if only_after else "",
        "opened_at": opened_at,
        "plan_version": preview.plan_version,
    }
    return render_template(
        "plan_edits/go_live_preview.html",
        programme=programme,
        preview=preview,
        reason=form.reason.data or "",
        hidden=hidden,
        changed=changed,
    )


@bp.post("/baselines/choose")
def choose_baseline(slug: str) -> Response:
    """Measure slip against another of the programme's baselines."""
    programme = _programme_for_editing(slug)
    number = request.form.get("baseline", type=parse_id)
    if number is None:
        abort(400, description="Choose a baseline.")
    chosen = baselines.baseline_or_404(programme, number)
    label, chosen_id = chosen.label, chosen.id
    plan_edits.choose_baseline(current_viewer(), programme, chosen)
    flash(f"Slip is now measured against “{label}”.", "success")
    return redirect(url_for("plan.baseline_comparison", slug=slug, baseline=chosen_id))
