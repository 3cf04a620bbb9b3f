from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.board import MilestoneFilter, select_milestones
from tracker.domain.my_work import group_my_work, week_start
from tracker.domain.permissions import Viewer, can_reopen, can_update_progress, can_write_highlight
from tracker.domain.validation import ValidationError
from tracker.extensions import db
from tracker.form_errors import show_errors
from tracker.models import Milestone, Programme
from tracker.security import current_viewer, require, safe_next
from tracker.services import board, progress
from tracker.services.editing import EditConflict, changes_since, ensure_current, opened_now
from tracker.services.programmes import get_programme_or_404
from tracker.updates.forms import (
    BlockForm,
    CompleteForm,
    ForecastForm,
    HighlightForm,
    ReopenForm,
    VersionedForm,
)

bp = Blueprint("updates", __name__, url_prefix="/p/<slug>")


@bp.get("/my-workstreams")
def my_workstreams(slug: str) -> str:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    mine = [ws for ws in board.workstreams(programme) if ws.id in viewer.led_workstream_ids]
    schedule = board.schedule_for(programme)
    work = None
    if schedule is not None and mine:
        codes = frozenset(ws.code for ws in mine)
        milestones = select_milestones(
            schedule.forecast.milestones.values(), MilestoneFilter(workstreams=codes)
        )
        work = group_my_work(milestones, today())
    this_week = {ws.id: progress.highlight_for_week(ws, today()) for ws in mine}
    return render_template(
        "updates/my_workstreams.html",
        programme=programme,
        workstreams=mine,
        work=work,
        this_week=this_week,
        week=week_start(today()),
        today=today(),
    )


def _may_update(viewer: Viewer, milestone: Milestone) -> bool:
    return can_update_progress(viewer, milestone.workstream_id)


def _may_reopen(viewer: Viewer, milestone: Milestone) -> bool:
    return can_reopen(viewer)


def _back(programme: Programme, milestone: Milestone) -> str:
    default = url_for("plan.milestone", slug=programme.slug, ref=milestone.ref)
    return safe_next(request.args.get("next"), default)


def _milestone_form(
    slug: str,
    ref: str,
    form_class: type[VersionedForm],
    *,
    heading: str,
    button: str,
    apply: Callable[[Milestone, Any], None],
    done: str,
    allowed: Callable[[Viewer, Milestone], bool] = _may_update,
    prefill: Callable[[Milestone, Any], None] | None = None,
    hints: dict[str, str] | None = None,
) -> str | Response:
    """A form that changes one milestone: permission, optimistic lock, validation, audit."""
    programme = get_programme_or_404(slug)
    milestone = board.milestone_or_404(programme, ref)
    require(allowed(current_viewer(), milestone))
    form = form_class()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.version.data = milestone.version
        form.opened_at.data = opened_now()
        if prefill is not None:
            prefill(milestone, form)
    elif form.validate_on_submit():
        try:
            ensure_current(
                "Milestone", milestone.id, milestone.version, form.version.data, form.opened_at.data
            )
            apply(milestone, form)
            db.session.commit()
        except EditConflict as exc:
            conflict = exc
        except StaleDataError:
            # Saved by someone else between reading the milestone and writing it.
            db.session.rollback()
            conflict = EditConflict(
                board.milestone_or_404(programme, ref).version,
                changes_since("Milestone", milestone.id, form.opened_at.data),
            )
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(done.format(ref=milestone.ref), "success")
            return redirect(_back(programme, milestone))
        if conflict is not None:
            # Saving again is now a deliberate choice over the change shown.
            form.version.data = conflict.current_version
            form.opened_at.data = opened_now()
            form.version.raw_data = [str(conflict.current_version)]
    return render_template(
        "updates/milestone_form.html",
        programme=programme,
        milestone=milestone,
        form=form,
        conflict=conflict,
        heading=heading,
        button=button,
        hints=hints or {},
        back=_back(programme, milestone),
    )


def _person_id() -> int | None:
    return current_user.person_id if current_user.is_authenticated else None


@bp.route("/milestones/<ref>/complete", methods=["GET", "POST"])
def complete(slug: str, ref: str) -> str | Response:
    def prefill(milestone: Milestone, form: CompleteForm) -> None:
        form.completed_on.data = today()

    def apply(milestone: Milestone, form: CompleteForm) -> None:
        progress.complete(
            milestone,
            completed_on=form.completed_on.data,
            evidence_text=form.evidence_text.data,
            evidence_url=form.evidence_url.data,
            by_person_id=_person_id(),
            today=today(),
        )

    return _milestone_form(
        slug,
        ref,
        CompleteForm,
        heading="Mark complete",
        button="Mark complete",
        apply=apply,
        prefill=prefill,
        done="{ref} is complete.",
        hints={
            "completed_on": "Today or earlier.",
            "evidence_text": "A sentence on what shows it is done, such as the paper or "
            "decision that closed it. Required for key milestones.",
            "evidence_url": "Optional: a link to the paper, minutes or document, starting https://",
        },
    )


@bp.route("/milestones/<ref>/forecast", methods=["GET", "POST"])
def forecast(slug: str, ref: str) -> str | Response:
    def prefill(milestone: Milestone, form: ForecastForm) -> None:
        form.forecast_date.data = milestone.forecast_date
        form.forecast_reason.data = milestone.forecast_reason

    def apply(milestone: Milestone, form: ForecastForm) -> None:
        progress.set_forecast(
            milestone,
            forecast_date=form.forecast_date.data,
            reason=form.forecast_reason.data,
            today=today(),
        )

    return _milestone_form(
        slug,
        ref,
        ForecastForm,
        heading="Set a forecast date",
        button="Save forecast",
        apply=apply,
        prefill=prefill,
        done="The forecast for {ref} is saved.",
        hints={
            "forecast_date": "When you now expect it to be done. The schedule moves "
            "everything that depends on it.",
            "forecast_reason": "For the board: what has changed, in a sentence.",
        },
    )


@bp.route("/milestones/<ref>/block", methods=["GET", "POST"])
def block(slug: str, ref: str) -> str | Response:
    def apply(milestone: Milestone, form: BlockForm) -> None:
        progress.block(milestone, reason=form.blocked_reason.data)

    return _milestone_form(
        slug,
        ref,
        BlockForm,
        heading="Mark blocked",
        button="Mark blocked",
        apply=apply,
        done="{ref} is marked blocked.",
        hints={"blocked_reason": "What is in the way, and who could clear it."},
    )


@bp.route("/milestones/<ref>/reopen", methods=["GET", "POST"])
def reopen(slug: str, ref: str) -> str | Response:
    def apply(milestone: Milestone, form: ReopenForm) -> None:
        progress.reopen(milestone, reason=form.reason.data)

    return _milestone_form(
        slug,
        ref,
        ReopenForm,
        heading="Reopen",
        button="Reopen",
        apply=apply,
        allowed=_may_reopen,
        done="{ref} is reopened.",
        hints={"reason": "Recorded in the milestone's history."},
    )


def _one_click(slug: str, ref: str, change: Callable[[Milestone], None], done: str) -> Response:
    """A button with no form to fill in (unblock, start, clear forecast)."""
    programme = get_programme_or_404(slug)
    milestone = board.milestone_or_404(programme, ref)
    require(_may_update(current_viewer(), milestone))
    submitted = request.form.get("version", type=int)
    try:
        ensure_current("Milestone", milestone.id, milestone.version, submitted, None)
        change(milestone)
        db.session.commit()
    except (EditConflict, StaleDataError):
        db.session.rollback()
        flash(
            f"{milestone.ref} was changed by someone else while you were looking at it. "
            "Check it below and try again.",
            "warning",
        )
        return redirect(url_for("plan.milestone", slug=programme.slug, ref=milestone.ref))
    except ValidationError as exc:
        db.session.rollback()
        flash("; ".join(e.message for e in exc.errors), "warning")
    else:
        flash(done.format(ref=milestone.ref), "success")
    return redirect(_back(programme, milestone))


@bp.post("/milestones/<ref>/unblock")
def unblock(slug: str, ref: str) -> Response:
    return _one_click(slug, ref, progress.unblock, "{ref} is unblocked and in progress.")


@bp.post("/milestones/<ref>/start")
def start(slug: str, ref: str) -> Response:
    return _one_click(slug, ref, progress.start, "{ref} is in progress.")


@bp.post("/milestones/<ref>/clear-forecast")
def clear_forecast(slug: str, ref: str) -> Response:
    return _one_click(slug, ref, progress.clear_forecast, "The forecast for {ref} is removed.")


@bp.route("/workstreams/<code>/highlight", methods=["GET", "POST"])
def highlight(slug: str, code: str) -> str | Response:
    """This week's highlight for a workstream; earlier weeks are kept as they were."""
    programme = get_programme_or_404(slug)
    workstream = board.workstream_or_404(programme, code)
    require(can_write_highlight(current_viewer(), workstream.id))
    existing = progress.highlight_for_week(workstream, today())
    form = HighlightForm(obj=existing)
    if form.validate_on_submit():
        try:
            progress.save_highlight(
                workstream,
                today=today(),
                rag=form.rag.data,
                achievements=form.achievements.data,
                next_steps=form.next_steps.data,
                issues=form.issues.data,
                author_id=_person_id(),
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(f"The {workstream.code} highlight for this week is saved.", "success")
            return redirect(url_for("updates.my_workstreams", slug=programme.slug))
    return render_template(
        "updates/highlight.html",
        programme=programme,
        workstream=workstream,
        form=form,
        existing=existing,
        week=week_start(today()),
        earlier=[h for h in board.highlights(workstream, today()) if h is not existing][:4],
    )
