"""The decision log: what the transition board and other forums decided. The programme office
records decisions; everyone reads them. Rights are checked on the server for every GET form
and every POST, and again by services/decisions.py for every change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.decisions.forms import (
    DecisionFilterForm,
    DecisionForm,
)
from tracker.domain.permissions import (
    can_record_decision,
)
from tracker.form_errors import attempt
from tracker.security import current_viewer, require
from tracker.services import decisions, risks
from tracker.services.decisions import DECISIONS_ADMIN
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Decision, Programme

bp = Blueprint("decisions", __name__, url_prefix="/p/<slug>/decisions")


def _decision_or_404(programme: Programme, ref: str) -> Decision:
    """The decision, or 404. A milestone's reference where a decision's belongs leads to the
    decisions about that milestone."""
    decision = decisions.decision_or_none(programme, ref)
    if decision is not None:
        return decision
    if request.method == "GET" and risks.is_milestone_ref(programme, ref):
        abort(redirect(url_for("decisions.index", slug=programme.slug, milestone=ref.upper())))
    abort(404, description=f"There is no decision '{ref}' in this programme.")


def _decision_log(slug: str, ref: str) -> Response:
    return redirect(url_for("decisions.index", slug=slug, _anchor=f"decision-{ref}"))


@bp.get("/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    form = DecisionFilterForm(formdata=request.args)
    form.set_choices(decisions.forums(programme))
    form.validate()
    ok = {name for name, f in form._fields.items() if not f.errors}

    def value(name: str) -> Any:
        return form._fields[name].data if name in ok else None

    selection = decisions.DecisionFilter(
        text=(value("q") or "").strip(),
        forum=value("forum") or None,
        decided_from=value("decided_from"),
        decided_to=value("decided_to"),
        milestone=(value("milestone") or "").strip().upper() or None,
    )
    return render_template(
        "decisions/index.html",
        programme=programme,
        form=form,
        selection=selection,
        decisions=decisions.decision_log(programme, selection),
        filtered=any(request.args.get(k) for k in form._fields),
        can_record=can_record_decision(current_viewer(), programme.id),
    )


def _decision_form() -> DecisionForm:
    form = DecisionForm()
    form.set_choices(risks.people())
    return form


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_record_decision(viewer, programme.id), DECISIONS_ADMIN)
    form = _decision_form()
    if request.method == "GET":
        form.decided_on.data = today()
        form.forum.data = "Transition board"
    done = attempt(form, lambda: decisions.create_decision(viewer, programme, form.plan(), today()))
    if done.saved:
        ref = done.result.ref
        flash(f"Added {ref} to the decision log.", "success")
        return _decision_log(slug, ref)
    return render_template(
        "decisions/form.html",
        programme=programme,
        form=form,
        decision=None,
        forums=decisions.forums(programme),
    )


@bp.route("/<ref>/edit", methods=["GET", "POST"])
def edit(slug: str, ref: str) -> str | Response:
    programme = get_programme_or_404(slug)
    decision = _decision_or_404(programme, ref)
    viewer = current_viewer()
    require(can_record_decision(viewer, programme.id), DECISIONS_ADMIN)
    form = _decision_form()
    if request.method == "GET":
        form.fill(decision)
        form.open()
    ref = decision.ref
    done = attempt(
        form,
        lambda: decisions.update_decision(
            viewer, programme, decision, form.seen(), form.plan(), today()
        ),
    )
    if done.saved:
        flash(f"Saved the changes to {ref}.", "success")
        return _decision_log(slug, ref)
    return render_template(
        "decisions/form.html",
        programme=programme,
        form=form,
        decision=decision,
        conflict=done.conflict,
        forums=decisions.forums(programme),
    )
