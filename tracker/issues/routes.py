"""The issue log: what has happened. Leads add issues and change their own; the board reads
them. Rights are checked on the server for every GET form and every POST, and again by
services/issues.py for every change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.permissions import (
    can_add_issue,
    can_edit_issue,
)
from tracker.form_errors import attempt, flash_refusal
from tracker.issues.forms import (
    CloseIssueForm,
    IssueFilterForm,
    IssueForm,
)
from tracker.security import current_viewer, require
from tracker.services import board, issues, risks
from tracker.services.issues import ISSUE_NOT_YOURS
from tracker.services.programmes import get_programme_or_404
from tracker.services.unit_of_work import ChangeRefused

if TYPE_CHECKING:
    from tracker.models import Issue, Programme

bp = Blueprint("issues", __name__, url_prefix="/p/<slug>/issues")


def _issue_or_404(programme: Programme, ref: str) -> Issue:
    """The issue, or 404. A milestone's reference where an issue's belongs leads to the issues
    that mention that milestone."""
    issue = issues.issue_or_none(programme, ref)
    if issue is not None:
        return issue
    if request.method == "GET" and risks.is_milestone_ref(programme, ref):
        abort(redirect(url_for("issues.index", slug=programme.slug, q=ref.upper(), status="all")))
    abort(404, description=f"There is no issue '{ref}' in this programme.")


def _editable_issue(slug: str, ref: str) -> tuple[Programme, Issue]:
    programme = get_programme_or_404(slug)
    issue = _issue_or_404(programme, ref)
    require(
        can_edit_issue(current_viewer(), programme.id, issue.owner_id, issue.workstream_id),
        ISSUE_NOT_YOURS,
    )
    return programme, issue


def _issue_log(slug: str, ref: str) -> Response:
    return redirect(url_for("issues.index", slug=slug, status="all", _anchor=f"issue-{ref}"))


@bp.get("/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    form = IssueFilterForm(formdata=request.args)
    form.set_choices(board.workstreams(programme, include_retired=True))
    form.validate()
    ok = {name for name, f in form._fields.items() if not f.errors}
    status = (form.status.data if "status" in ok else None) or "open"
    selection = issues.IssueFilter(
        status=None if status == "all" else status,
        workstream=(form.workstream.data if "workstream" in ok else None) or None,
        text=((form.q.data if "q" in ok else None) or "").strip(),
    )
    found = issues.issue_log(programme, selection)
    viewer = current_viewer()
    return render_template(
        "issues/index.html",
        programme=programme,
        form=form,
        selection=selection,
        issues=found,
        editable={
            i.id for i in found if can_edit_issue(viewer, programme.id, i.owner_id, i.workstream_id)
        },
        filtered=any(request.args.get(k) for k in ("q", "status", "workstream")),
        can_add=can_add_issue(viewer, programme.id),
    )


def _issue_form(programme: Programme, *, editing: bool = False) -> IssueForm:
    """A retired workstream is a choice only for an issue that is already in one."""
    form = IssueForm()
    form.set_choices(
        board.workstreams(programme, include_retired=editing),
        risks.people(),
        issues.programme_risks(programme),
    )
    return form


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(
        can_add_issue(viewer, programme.id),
        "Only the programme office and workstream leads add issues.",
    )
    form = _issue_form(programme)
    if request.method == "GET":
        form.owner.data = str(viewer.person_id) if viewer.person_id else ""
        form.raised_on.data = today()
        form.risk.data = request.args.get("risk", "")
    done = attempt(form, lambda: issues.create_issue(viewer, programme, form.plan(), today()))
    if done.saved:
        ref, title = done.result.ref, done.result.title
        flash(f"Added {ref} {title}.", "success")
        return _issue_log(slug, ref)
    return render_template("issues/form.html", programme=programme, form=form, issue=None)


@bp.route("/<ref>/edit", methods=["GET", "POST"])
def edit(slug: str, ref: str) -> str | Response:
    programme, issue = _editable_issue(slug, ref)
    viewer = current_viewer()
    form = _issue_form(programme, editing=True)
    if request.method == "GET":
        form.fill(issue)
        form.open()
    ref = issue.ref
    done = attempt(
        form,
        lambda: issues.update_issue(viewer, programme, issue, form.seen(), form.plan(), today()),
    )
    if done.saved:
        flash(f"Saved the changes to {ref} {form.plan().title.strip()}.", "success")
        return _issue_log(slug, ref)
    return render_template(
        "issues/form.html", programme=programme, form=form, issue=issue, conflict=done.conflict
    )


@bp.route("/<ref>/close", methods=["GET", "POST"])
def close(slug: str, ref: str) -> str | Response:
    programme, issue = _editable_issue(slug, ref)
    form = CloseIssueForm()
    if request.method == "GET":
        form.closed_on.data = today()
        form.open()
    ref = issue.ref
    done = attempt(
        form,
        lambda: issues.close_issue(
            current_viewer(), issue, form.seen(), form.closed_on.data, today()
        ),
    )
    if done.saved:
        flash(f"{ref} is closed.", "success")
        return _issue_log(slug, ref)
    return render_template(
        "issues/close.html", programme=programme, issue=issue, form=form, conflict=done.conflict
    )


@bp.post("/<ref>/reopen")
def reopen(slug: str, ref: str) -> Response:
    _, issue = _editable_issue(slug, ref)
    ref = issue.ref
    try:
        issues.reopen_issue(current_viewer(), issue)
    except ChangeRefused as refused:
        flash_refusal(refused, ref)
    else:
        flash(f"{ref} is open again.", "success")
    return _issue_log(slug, ref)
