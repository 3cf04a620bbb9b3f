from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.figures import MilestoneFilter, select_milestones
from tracker.domain.forecast_effect import Effect
from tracker.domain.my_work import group_my_work, week_start
from tracker.domain.permissions import Viewer, can_reopen, can_update_progress, can_write_highlight
from tracker.form_errors import attempt, flash_refusal
from tracker.form_fields import VersionedForm, parse_id
from tracker.security import current_viewer, forbid, safe_next
from tracker.services import board, progress
from tracker.services.forecast_effect import forecast_effect
from tracker.services.optimistic_locking import EditConflict, Seen
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused, Refusal
from tracker.updates import confirming
from tracker.updates.forms import BlockForm, CompleteForm, ForecastForm, HighlightForm, ReopenForm

if TYPE_CHECKING:
    from tracker.models import Milestone, Programme

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


def _may_update(viewer: Viewer, milestone: Milestone) -> None:
    """403 naming the reason ("You lead FIN, not PEO: ...") unless they may."""
    if not can_update_progress(viewer, milestone.programme_id, milestone.workstream_id):
        forbid(progress.not_theirs(viewer, milestone.workstream, f"update {milestone.ref}"))


def _may_reopen(viewer: Viewer, milestone: Milestone) -> None:
    if not can_reopen(viewer, milestone.programme_id):
        forbid(progress.only_admins(viewer, milestone.programme_id, "reopen a milestone"))


# The confirm step of a change that shows its effect first: the page to show instead of
# saving, or None to save now (tracker/updates/confirming.py).
Confirm = Callable[["Programme", "Milestone", Any, bool], str | None]


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
    change: Callable[[Milestone, Any, Seen], None],
    done: str,
    allowed: Callable[[Viewer, Milestone], None] = _may_update,
    prefill: Callable[[Milestone, Any], None] | None = None,
    hints: dict[str, str] | None = None,
    confirm: Confirm | None = None,
) -> str | Response:
    """A form that changes one milestone through one service call (`change`), which checks the
    permission again, the version the form was opened at and the rules, and commits. Every
    problem shows at once (form_errors.attempt). With `confirm`, a change that passes every
    check first shows its effect, and is saved only from there."""
    programme = get_programme_or_404(slug)
    milestone = board.milestone_or_404(programme, ref, links=False)
    allowed(current_viewer(), milestone)
    # Worked out before the change: nothing needs reading again after the commit.
    back, message = _back(programme, milestone), done.format(ref=milestone.ref)
    form = form_class()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.open(milestone.version)
        if prefill is not None:
            prefill(milestone, form)
    # "Change" on the confirm step falls through: the form again, as typed, unchecked.
    elif not confirming.pressed(confirming.CHANGE):

        def save() -> None:
            change(milestone, form, form.seen())

        if confirm is None:
            outcome = attempt(form, save)
        else:
            answer = confirming.save_or_confirm(
                programme, form, save, lambda again: confirm(programme, milestone, form, again)
            )
            if isinstance(answer, str):
                return answer
            outcome = answer
        if outcome.saved:
            flash(message, "success")
            return redirect(back)
        conflict = outcome.conflict
    return render_template(
        "updates/milestone_form.html",
        programme=programme,
        milestone=milestone,
        form=form,
        conflict=conflict,
        heading=heading,
        button=button,
        hints=hints or {},
        back=back,
    )


@bp.route("/milestones/<ref>/complete", methods=["GET", "POST"])
def complete(slug: str, ref: str) -> str | Response:
    def prefill(milestone: Milestone, form: CompleteForm) -> None:
        form.completed_on.data = today()

    def change(milestone: Milestone, form: CompleteForm, seen: Seen) -> None:
        progress.complete(
            current_viewer(),
            milestone,
            seen,
            completed_on=form.completed_on.data,
            evidence_text=form.evidence_text.data,
            evidence_url=form.evidence_url.data,
            today=today(),
        )

    return _milestone_form(
        slug,
        ref,
        CompleteForm,
        heading="Mark complete",
        button="Mark complete",
        change=change,
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
    """A forecast that uses up slack shows what it does first; the rest save at once."""

    def prefill(milestone: Milestone, form: ForecastForm) -> None:
        form.forecast_date.data = milestone.forecast_date
        form.forecast_reason.data = milestone.forecast_reason

    def change(milestone: Milestone, form: ForecastForm, seen: Seen) -> None:
        progress.set_forecast(
            current_viewer(),
            milestone,
            seen,
            forecast_date=form.forecast_date.data,
            reason=form.forecast_reason.data,
            today=today(),
        )

    def confirm(
        programme: Programme, milestone: Milestone, form: ForecastForm, again: bool
    ) -> str | None:
        effect = forecast_effect(programme, milestone.ref, form.forecast_date.data)
        if effect is None or not effect.needs_confirming:
            return None
        return _confirm_forecast(programme, milestone, form, effect, plan_changed=again)

    return _milestone_form(
        slug,
        ref,
        ForecastForm,
        heading="Set a forecast date",
        button="Save forecast",
        change=change,
        prefill=prefill,
        done="The forecast for {ref} is saved.",
        hints={
            "forecast_date": "When you now expect it to be done. The schedule moves "
            "everything that depends on it.",
            "forecast_reason": "For the board: what has changed, in a sentence.",
        },
        confirm=confirm,
    )


def _confirm_forecast(
    programme: Programme,
    milestone: Milestone,
    form: ForecastForm,
    effect: Effect,
    *,
    plan_changed: bool,
) -> str:
    forecast_date = form.forecast_date.data
    assert forecast_date is not None  # the rules passed
    hidden = {
        "forecast_date": forecast_date.isoformat(),
        "forecast_reason": form.forecast_reason.data or "",
        "version": form.version.data or "",
        "opened_at": form.opened_at.data or "",
        "plan_version": board.plan_version(programme),
    }
    return render_template(
        "updates/forecast_confirm.html",
        programme=programme,
        milestone=milestone,
        effect=effect,
        forecast_date=forecast_date,
        reason=form.forecast_reason.data or "",
        hidden=hidden,
        plan_changed=plan_changed,
        back=_back(programme, milestone),
    )


@bp.route("/milestones/<ref>/block", methods=["GET", "POST"])
def block(slug: str, ref: str) -> str | Response:
    def change(milestone: Milestone, form: BlockForm, seen: Seen) -> None:
        progress.block(current_viewer(), milestone, seen, reason=form.blocked_reason.data)

    return _milestone_form(
        slug,
        ref,
        BlockForm,
        heading="Mark blocked",
        button="Mark blocked",
        change=change,
        done="{ref} is marked blocked.",
        hints={"blocked_reason": "What is in the way, and who could clear it."},
    )


@bp.route("/milestones/<ref>/reopen", methods=["GET", "POST"])
def reopen(slug: str, ref: str) -> str | Response:
    def change(milestone: Milestone, form: ReopenForm, seen: Seen) -> None:
        progress.reopen(current_viewer(), milestone, seen, reason=form.reason.data)

    return _milestone_form(
        slug,
        ref,
        ReopenForm,
        heading="Reopen",
        button="Reopen",
        change=change,
        allowed=_may_reopen,
        done="{ref} is reopened.",
        hints={"reason": "Recorded in the milestone's history."},
    )


def _one_click(
    slug: str, ref: str, change: Callable[[Viewer, Milestone, Seen], None], done: str
) -> Response:
    """A button with no form to fill in (unblock, start, clear forecast)."""
    programme = get_programme_or_404(slug)
    milestone = board.milestone_or_404(programme, ref, links=False)
    _may_update(current_viewer(), milestone)
    back, message = _back(programme, milestone), done.format(ref=milestone.ref)
    page = url_for("plan.milestone", slug=programme.slug, ref=milestone.ref)
    try:
        change(current_viewer(), milestone, Seen(request.form.get("version", type=parse_id)))
    except ChangeRefused as refused:
        flash_refusal(refused, milestone.ref)
        return redirect(page if refused.refusal is Refusal.CONFLICT else back)
    flash(message, "success")
    return redirect(back)


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
    viewer = current_viewer()
    if not can_write_highlight(viewer, programme.id, workstream.id):
        forbid(progress.not_theirs(viewer, workstream, "write its weekly highlight"))
    existing = progress.highlight_for_week(workstream, today())
    form = HighlightForm(obj=existing)
    conflict: EditConflict | None = None
    if request.method == "GET":
        if existing is not None:
            form.open(existing.version)
        else:
            form.open_before_first()
    else:
        message = f"The {workstream.code} highlight for this week is saved."
        outcome = attempt(
            form,
            lambda: progress.save_highlight(
                viewer,
                workstream,
                form.seen(),
                today=today(),
                rag=form.rag.data,
                achievements=form.achievements.data,
                next_steps=form.next_steps.data,
                issues=form.issues.data,
            ),
        )
        if outcome.saved:
            flash(message, "success")
            return redirect(url_for("updates.my_workstreams", slug=slug))
        conflict = outcome.conflict
        if conflict is not None:
            # Show the highlight as it now is (someone else's, when they saved first).
            existing = progress.highlight_for_week(workstream, today())
    earlier = [h for h in board.highlights(workstream, today()) if h is not existing]
    schedule = board.schedule_for(programme)
    return render_template(
        "updates/highlight.html",
        programme=programme,
        workstream=workstream,
        form=form,
        conflict=conflict,
        existing=existing,
        week=week_start(today()),
        earlier=earlier[:4],
        # The latest week before this one: its next steps are what this week was to do.
        previous=next((h for h in earlier if h.week_start < week_start(today())), None),
        schedule_rag=schedule.forecast.workstream_rag(workstream.code) if schedule else None,
    )
