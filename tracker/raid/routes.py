"""The issue log and the decision log. Leads add issues and change their own; the decision
log is the programme office's; the board reads both. Rights are checked on the server for
every GET form and every POST."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.permissions import (
    can_add_issue,
    can_edit_issue,
    can_record_decision,
)
from tracker.form_errors import flash_refusal, show_errors, show_refusal
from tracker.raid.forms import (
    CloseIssueForm,
    DecisionFilterForm,
    DecisionForm,
    IssueFilterForm,
    IssueForm,
)
from tracker.security import current_viewer, require
from tracker.services import board, raid, risks
from tracker.services.optimistic_locking import EditConflict
from tracker.services.programmes import get_programme_or_404
from tracker.services.raid import DECISIONS_ADMIN, ISSUE_NOT_YOURS
from tracker.services.unit_of_work import ChangeRefused

if TYPE_CHECKING:
    from tracker.models import Decision, Issue, Programme

bp = Blueprint("raid", __name__, url_prefix="/p/<slug>")


def _issue_or_404(programme: Programme, ref: str) -> Issue:
    """The issue, or 404. A milestone's reference where an issue's belongs leads to the issues
    that mention that milestone."""
    issue = raid.issue_or_none(programme, ref)
    if issue is not None:
        return issue
    if request.method == "GET" and risks.is_milestone_ref(programme, ref):
        abort(redirect(url_for("raid.issues", slug=programme.slug, q=ref.upper(), status="all")))
    abort(404, description=f"There is no issue '{ref}' in this programme.")


def _decision_or_404(programme: Programme, ref: str) -> Decision:
    """The decision, or 404. A milestone's reference where a decision's belongs leads to the
    decisions about that milestone."""
    decision = raid.decision_or_none(programme, ref)
    if decision is not None:
        return decision
    if request.method == "GET" and risks.is_milestone_ref(programme, ref):
        abort(redirect(url_for("raid.decisions", slug=programme.slug, milestone=ref.upper())))
    abort(404, description=f"There is no decision '{ref}' in this programme.")


def _editable_issue(slug: str, ref: str) -> tuple[Programme, Issue]:
    programme = get_programme_or_404(slug)
    issue = _issue_or_404(programme, ref)
    require(can_edit_issue(current_viewer(), issue.owner_id, issue.workstream_id), ISSUE_NOT_YOURS)
    return programme, issue


def _issue_log(slug: str, ref: str) -> Response:
    return redirect(url_for("raid.issues", slug=slug, status="all", _anchor=f"issue-{ref}"))


def _decision_log(slug: str, ref: str) -> Response:
    return redirect(url_for("raid.decisions", slug=slug, _anchor=f"decision-{ref}"))


# --- issues -------------------------------------------------------------------------------


@bp.get("/issues/")
def issues(slug: str) -> str:
    programme = get_programme_or_404(slug)
    form = IssueFilterForm(formdata=request.args)
    form.set_choices(board.workstreams(programme))
    form.validate()
    ok = {name for name, f in form._fields.items() if not f.errors}
    status = (form.status.data if "status" in ok else None) or "open"
    selection = raid.IssueFilter(
        status=None if status == "all" else status,
        workstream=(form.workstream.data if "workstream" in ok else None) or None,
        text=((form.q.data if "q" in ok else None) or "").strip(),
    )
    found = raid.issue_log(programme, selection)
    viewer = current_viewer()
    return render_template(
        "raid/issues.html",
        programme=programme,
        form=form,
        selection=selection,
        issues=found,
        editable={i.id for i in found if can_edit_issue(viewer, i.owner_id, i.workstream_id)},
        filtered=any(request.args.get(k) for k in ("q", "status", "workstream")),
        can_add=can_add_issue(viewer),
    )


def _issue_form(programme: Programme) -> IssueForm:
    form = IssueForm()
    form.set_choices(board.workstreams(programme), risks.people(), raid.programme_risks(programme))
    return form


@bp.route("/issues/new", methods=["GET", "POST"])
def new_issue(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_add_issue(viewer), "Only the programme office and workstream leads add issues.")
    form = _issue_form(programme)
    if request.method == "GET":
        form.owner.data = str(viewer.person_id) if viewer.person_id else ""
        form.raised_on.data = today()
        form.risk.data = request.args.get("risk", "")
    elif not form.validate():
        # Every problem at once: what could not be read, then what the rules refuse.
        show_errors(form, raid.issue_problems(programme, form.plan(), viewer, today()))
    else:
        try:
            issue = raid.create_issue(viewer, programme, form.plan(), today())
        except ChangeRefused as refused:
            show_refusal(form, refused)
        else:
            ref, title = issue.ref, issue.title
            flash(f"Added {ref} {title}.", "success")
            return _issue_log(slug, ref)
    return render_template("raid/issue_form.html", programme=programme, form=form, issue=None)


@bp.route("/issues/<ref>/edit", methods=["GET", "POST"])
def edit_issue(slug: str, ref: str) -> str | Response:
    programme, issue = _editable_issue(slug, ref)
    viewer = current_viewer()
    form = _issue_form(programme)
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(issue)
        form.open()
    elif not form.validate():
        show_errors(form, raid.issue_problems(programme, form.plan(), viewer, today()))
    else:
        plan, ref = form.plan(), issue.ref
        try:
            raid.update_issue(viewer, programme, issue, form.seen(), plan, today())
        except ChangeRefused as refused:
            conflict = show_refusal(form, refused)
        else:
            flash(f"Saved the changes to {ref} {plan.title.strip()}.", "success")
            return _issue_log(slug, ref)
    return render_template(
        "raid/issue_form.html", programme=programme, form=form, issue=issue, conflict=conflict
    )


@bp.route("/issues/<ref>/close", methods=["GET", "POST"])
def close_issue(slug: str, ref: str) -> str | Response:
    programme, issue = _editable_issue(slug, ref)
    form = CloseIssueForm()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.closed_on.data = today()
        form.open()
    elif form.validate():
        ref = issue.ref
        try:
            raid.close_issue(current_viewer(), issue, form.seen(), form.closed_on.data, today())
        except ChangeRefused as refused:
            conflict = show_refusal(form, refused)
        else:
            flash(f"{ref} is closed.", "success")
            return _issue_log(slug, ref)
    return render_template(
        "raid/close_issue.html", programme=programme, issue=issue, form=form, conflict=conflict
    )


@bp.post("/issues/<ref>/reopen")
def reopen_issue(slug: str, ref: str) -> Response:
    _, issue = _editable_issue(slug, ref)
    ref = issue.ref
    try:
        raid.reopen_issue(current_viewer(), issue)
    except ChangeRefused as refused:
        flash_refusal(refused, ref)
    else:
        flash(f"{ref} is open again.", "success")
    return _issue_log(slug, ref)


# --- decisions ------------------------------------------------------------------------------


@bp.get("/decisions/")
def decisions(slug: str) -> str:
    programme = get_programme_or_404(slug)
    form = DecisionFilterForm(formdata=request.args)
    form.set_choices(raid.forums(programme))
    form.validate()
    ok = {name for name, f in form._fields.items() if not f.errors}

    def value(name: str) -> Any:
        return form._fields[name].data if name in ok else None

    selection = raid.DecisionFilter(
        text=(value("q") or "").strip(),
        forum=value("forum") or None,
        decided_from=value("decided_from"),
        decided_to=value("decided_to"),
        milestone=(value("milestone") or "").strip().upper() or None,
    )
    return render_template(
        "raid/decisions.html",
        programme=programme,
        form=form,
        selection=selection,
        decisions=raid.decision_log(programme, selection),
        filtered=any(request.args.get(k) for k in form._fields),
        can_record=can_record_decision(current_viewer()),
    )


def _decision_form() -> DecisionForm:
    form = DecisionForm()
    form.set_choices(risks.people())
    return form


@bp.route("/decisions/new", methods=["GET", "POST"])
def new_decision(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_record_decision(viewer), DECISIONS_ADMIN)
    form = _decision_form()
    if request.method == "GET":
        form.decided_on.data = today()
        form.forum.data = "Transition board"
    elif not form.validate():
        show_errors(form, raid.decision_problems(programme, form.plan(), today())[0])
    else:
        try:
            decision = raid.create_decision(viewer, programme, form.plan(), today())
        except ChangeRefused as refused:
            show_refusal(form, refused)
        else:
            ref = decision.ref
            flash(f"Added {ref} to the decision log.", "success")
            return _decision_log(slug, ref)
    return render_template(
        "raid/decision_form.html",
        programme=programme,
        form=form,
        decision=None,
        forums=raid.forums(programme),
    )


@bp.route("/decisions/<ref>/edit", methods=["GET", "POST"])
def edit_decision(slug: str, ref: str) -> str | Response:
    programme = get_programme_or_404(slug)
    decision = _decision_or_404(programme, ref)
    viewer = current_viewer()
    require(can_record_decision(viewer), DECISIONS_ADMIN)
    form = _decision_form()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(decision)
        form.open()
    elif not form.validate():
        show_errors(form, raid.decision_problems(programme, form.plan(), today())[0])
    else:
        ref = decision.ref
        try:
            raid.update_decision(viewer, programme, decision, form.seen(), form.plan(), today())
        except ChangeRefused as refused:
            conflict = show_refusal(form, refused)
        else:
            flash(f"Saved the changes to {ref}.", "success")
            return _decision_log(slug, ref)
    return render_template(
        "raid/decision_form.html",
        programme=programme,
        form=form,
        decision=decision,
        conflict=conflict,
        forums=raid.forums(programme),
    )
