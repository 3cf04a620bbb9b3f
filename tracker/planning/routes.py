"""The programme office's plan edits. Every view checks can_edit_plan, for GET and POST."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.notation import format_predecessor
from tracker.domain.permissions import can_edit_plan
from tracker.domain.validation import FieldError, ValidationError, format_date
from tracker.extensions import db
from tracker.form_errors import show_errors
from tracker.models import Milestone, Programme
from tracker.planning.forms import (
    BaselineForm,
    DependencyForm,
    EditMilestoneForm,
    GoLiveForm,
    MilestoneForm,
    NewMilestoneForm,
)
from tracker.security import current_viewer, require
from tracker.services import baselines, board, plan
from tracker.services.editing import EditConflict, changes_since, ensure_current, opened_now
from tracker.services.programmes import get_programme_or_404

bp = Blueprint("planning", __name__, url_prefix="/p/<slug>")


def _programme_for_editing(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_edit_plan(current_viewer()), "Only the programme office changes the plan.")
    return programme


def _milestone_page(programme: Programme, milestone: Milestone) -> Response:
    return redirect(url_for("plan.milestone", slug=programme.slug, ref=milestone.ref))


def _set_choices(programme: Programme, form: MilestoneForm) -> None:
    form.set_choices(board.workstreams(programme), plan.people())


@bp.get("/plan-settings")
def index(slug: str) -> str:
    programme = _programme_for_editing(slug)
    return render_template(
        "planning/index.html",
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
        form.validate()
        ref = form.ref.data or ""
        show_errors(form, plan.milestone_problems(programme, form.plan(), ref=ref))
        if not form.errors:
            try:
                milestone = plan.create_milestone(programme, ref, form.plan())
                db.session.commit()
            except ValidationError as exc:
                db.session.rollback()
                show_errors(form, exc.errors)
            except IntegrityError:  # the same reference saved by someone else just now
                db.session.rollback()
                show_errors(form, [FieldError("ref", f"{ref} is already used: choose another")])
            else:
                flash(f"Added {milestone.ref} {milestone.title}.", "success")
                return _milestone_page(programme, milestone)
    return render_template(
        "planning/milestone_form.html", programme=programme, form=form, milestone=None
    )


@bp.route("/milestones/<ref>/edit", methods=["GET", "POST"])
def edit_milestone(slug: str, ref: str) -> str | Response:
    programme = _programme_for_editing(slug)
    milestone = board.milestone_or_404(programme, ref)
    form = EditMilestoneForm()
    _set_choices(programme, form)
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(milestone)
        form.version.data = str(milestone.version)
        form.opened_at.data = opened_now()
    else:
        form.validate()
        try:
            ensure_current(
                "Milestone",
                milestone.id,
                milestone.version,
                form.submitted_version(),
                form.opened_at.data,
            )
            show_errors(form, plan.milestone_problems(programme, form.plan(), milestone=milestone))
            if not form.errors:
                plan.update_milestone(milestone, form.plan())
                db.session.commit()
                flash(f"Saved the changes to {milestone.ref} {milestone.title}.", "success")
                return _milestone_page(programme, milestone)
        except EditConflict as exc:
            conflict = exc
        except StaleDataError:
            # Saved by someone else between reading the milestone and writing it.
            db.session.rollback()
            milestone = board.milestone_or_404(programme, ref)
            conflict = EditConflict(
                milestone.version, changes_since("Milestone", milestone.id, form.opened_at.data)
            )
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        if conflict is not None:
            # Saving again is now a deliberate choice over the changes shown.
            form.version.data = str(conflict.current_version)
            form.opened_at.data = opened_now()
    return render_template(
        "planning/milestone_form.html",
        programme=programme,
        form=form,
        milestone=milestone,
        conflict=conflict,
    )


@bp.route("/milestones/<ref>/delete", methods=["GET", "POST"])
def delete_milestone(slug: str, ref: str) -> str | Response:
    programme = _programme_for_editing(slug)
    milestone = board.milestone_or_404(programme, ref)
    links = plan.milestone_links(milestone)
    form = FlaskForm()
    if form.validate_on_submit():
        label = f"{milestone.ref} {milestone.title}"
        try:
            gone = plan.delete_milestone(milestone)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            also = f" and its {len(gone)} link{'s' if len(gone) != 1 else ''}" if gone else ""
            flash(f"Deleted {label}{also}.", "success")
            return redirect(url_for("plan.milestones", slug=programme.slug))
    return render_template(
        "planning/delete_milestone.html",
        programme=programme,
        milestone=milestone,
        links=links,
        form=form,
    )


@bp.route("/milestones/<ref>/dependencies/new", methods=["GET", "POST"])
def new_dependency(slug: str, ref: str) -> str | Response:
    programme = _programme_for_editing(slug)
    milestone = board.milestone_or_404(programme, ref)
    others = [m for m in plan.programme_milestones(programme) if m.id != milestone.id]
    form = DependencyForm()
    form.set_choices(others)
    if form.validate_on_submit():
        predecessor = next(m for m in others if m.id == form.predecessor_id())
        try:
            link = plan.add_dependency(predecessor, milestone, form.type.data, form.lag_days.data)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            # Problems with this milestone's end of the link belong to the choice made.
            show_errors(
                form,
                [
                    FieldError("predecessor" if e.field == "successor" else e.field, e.message)
                    for e in exc.errors
                ],
            )
        else:
            flash(
                f"{milestone.ref} now depends on "
                f"{format_predecessor(predecessor.ref, link.type, link.lag_days)}.",
                "success",
            )
            return _milestone_page(programme, milestone)
    return render_template(
        "planning/dependency_form.html", programme=programme, milestone=milestone, form=form
    )


@bp.post("/dependencies/<int:dependency_id>/delete")
def delete_dependency(slug: str, dependency_id: int) -> Response:
    programme = _programme_for_editing(slug)
    link = plan.dependency_or_404(programme, dependency_id)
    predecessor, successor = link.predecessor, link.successor
    # Back to the milestone page the button was on.
    back = predecessor if request.form.get("ref") == predecessor.ref else successor
    words = f"{format_predecessor(predecessor.ref, link.type, link.lag_days)} -> {successor.ref}"
    plan.remove_dependency(link)
    db.session.commit()
    flash(f"Removed the link {words}.", "success")
    return _milestone_page(programme, back)


@bp.route("/baselines/new", methods=["GET", "POST"])
def new_baseline(slug: str) -> str | Response:
    programme = _programme_for_editing(slug)
    form = BaselineForm()
    if form.validate_on_submit():
        try:
            baseline = plan.take_baseline(
                programme,
                form.label.data or "",
                note=form.note.data or "",
                make_current=bool(form.make_current.data),
                taken_by_id=current_viewer().person_id,
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            current = " Slip is now measured against it." if form.make_current.data else ""
            count = len(baseline.items)
            flash(
                f"Took the baseline “{baseline.label}” of {count} milestones.{current}", "success"
            )
            return redirect(url_for("planning.index", slug=programme.slug))
    return render_template("planning/baseline_form.html", programme=programme, form=form)


@bp.route("/go-live", methods=["GET", "POST"])
def go_live(slug: str) -> str | Response:
    programme = _programme_for_editing(slug)
    form = GoLiveForm()
    if form.validate_on_submit():
        try:
            target = plan.change_go_live(
                programme,
                form.target_date.data,
                form.reason.data or "",
                today=today(),
                set_by_id=current_viewer().person_id,
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(f"The go-live target is now {format_date(target.target_date)}.", "success")
            return redirect(url_for("planning.index", slug=programme.slug))
    return render_template("planning/go_live_form.html", programme=programme, form=form)


@bp.post("/baselines/choose")
def choose_baseline(slug: str) -> Response:
    """Measure slip against another of the programme's baselines."""
    programme = _programme_for_editing(slug)
    number = request.form.get("baseline", type=int)
    if number is None:
        abort(400, description="Choose a baseline.")
    chosen = baselines.baseline_or_404(programme, number)
    baselines.choose(programme, chosen)
    db.session.commit()
    flash(f"Slip is now measured against “{chosen.label}”.", "success")
    return redirect(url_for("plan.baseline_comparison", slug=programme.slug, baseline=chosen.id))
