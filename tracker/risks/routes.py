"""The risk register: the heatmap and list, each risk's page, and the changes leads and the
programme office make. Every view checks the viewer's rights on the server, GET and POST."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.clock import today
from tracker.domain.permissions import can_add_issue, can_add_risk, can_edit_risk
from tracker.domain.raid import RiskFilter, refs_by_cell, risk_heatmap, select_risks
from tracker.domain.risks import (
    CONSEQUENCE_LEVELS,
    LIKELIHOOD_LEVELS,
    band_ranges,
    cells_by_score,
    trend,
)
from tracker.form_errors import attempt, flash_refusal
from tracker.form_fields import parse_id
from tracker.risks.forms import (
    ActionForm,
    CloseForm,
    ReviewForm,
    RiskFilterForm,
    RiskForm,
    to_id,
)
from tracker.security import current_viewer, require
from tracker.services import board, risks
from tracker.services.optimistic_locking import Seen
from tracker.services.programmes import get_programme_or_404
from tracker.services.risks import NOT_YOURS
from tracker.services.unit_of_work import ChangeRefused, Refusal

if TYPE_CHECKING:
    from tracker.models import Programme, Risk, RiskReview

bp = Blueprint("risks", __name__, url_prefix="/p/<slug>/risks")


def _risk_or_404(programme: Programme, ref: str) -> Risk:
    """The risk, or 404. A milestone's reference where a risk's belongs (/risks/PEO-09) leads
    to the register of the risks that threaten that milestone."""
    risk = risks.risk_or_none(programme, ref)
    if risk is not None:
        return risk
    if request.method == "GET" and risks.is_milestone_ref(programme, ref):
        abort(redirect(url_for("risks.index", slug=programme.slug, milestone=ref.upper())))
    abort(404, description=f"There is no risk '{ref}' in this programme.")


def _editable(slug: str, ref: str) -> tuple[Programme, Risk]:
    programme = get_programme_or_404(slug)
    risk = _risk_or_404(programme, ref)
    require(
        can_edit_risk(current_viewer(), programme.id, risk.owner_id, risk.workstream_id), NOT_YOURS
    )
    return programme, risk


def _risk_page(slug: str, ref: str, anchor: str | None = None) -> Response:
    return redirect(url_for("risks.show", slug=slug, ref=ref, _anchor=anchor))


# --- the register ----------------------------------------------------------------------------


def _selection(form: RiskFilterForm) -> RiskFilter:
    """The filter the form asks for; fields that failed validation are left out."""
    ok = {name for name, field in form._fields.items() if not field.errors}

    def value(name: str) -> Any:
        return form._fields[name].data if name in ok else None

    status = value("status") or "open"
    return RiskFilter(
        status=None if status == "all" else status,
        workstream=value("workstream") or None,
        band=value("band") or None,
        owner_id=to_id(value("owner")),
        text=(value("q") or "").strip(),
        consequence=value("consequence"),
        likelihood=value("likelihood"),
        milestone=(value("milestone") or "").strip().upper() or None,
        overdue=bool(value("overdue")),
    )


def _query_args(f: RiskFilter) -> dict[str, Any]:
    """The filter as query arguments, without the heatmap cell: what a cell's link adds to."""
    args = {
        "q": f.text or None,
        "status": "all" if f.status is None else (f.status if f.status != "open" else None),
        "workstream": f.workstream,
        "band": f.band,
        "owner": f.owner_id,
        "milestone": f.milestone,
        "overdue": 1 if f.overdue else None,
    }
    return {k: v for k, v in args.items() if v is not None}


@bp.get("/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    rows = risks.register(programme, today())
    bands = risks.configured_bands()
    form = RiskFilterForm(formdata=request.args)
    owners = sorted({(r.owner_id, r.owner) for r in rows}, key=lambda o: o[1])
    form.set_choices(board.workstreams(programme, include_retired=True), bands, owners)
    form.validate()
    selection = _selection(form)
    shown = select_risks(rows, selection)
    grid = risk_heatmap(rows, selection, bands)
    return render_template(
        "risks/index.html",
        programme=programme,
        form=form,
        selection=selection,
        risks=shown,
        grid=grid,
        cells=cells_by_score(grid),
        refs_by_cell=refs_by_cell(select_risks(rows, selection.without_cell())),
        link_args=_query_args(selection),
        filtered=bool(_query_args(selection)) or selection.consequence is not None,
        band_ranges=band_ranges(bands),
        consequence_levels=CONSEQUENCE_LEVELS,
        likelihood_levels=LIKELIHOOD_LEVELS,
        can_add=can_add_risk(current_viewer(), programme.id),
    )


# --- one risk ------------------------------------------------------------------------------


@bp.get("/<ref>")
def show(slug: str, ref: str) -> str:
    programme = get_programme_or_404(slug)
    risk = _risk_or_404(programme, ref)
    schedule = board.schedule_for(programme)
    forecasts = schedule.forecast.milestones if schedule is not None else {}
    reviews = []
    previous = None
    for review in risk.reviews:
        reviews.append((review, trend(review.score, previous.score if previous else None)))
        previous = review
    return render_template(
        "risks/show.html",
        programme=programme,
        risk=risk,
        figures=risks.row_for(risk, today()),
        forecasts=forecasts,
        reviews=reviews[::-1],  # newest first
        history=risks.risk_history(risk),
        consequence_levels=CONSEQUENCE_LEVELS,
        likelihood_levels=LIKELIHOOD_LEVELS,
        may_edit=can_edit_risk(current_viewer(), programme.id, risk.owner_id, risk.workstream_id),
        may_add_issue=can_add_issue(current_viewer(), programme.id),
        today=today(),
    )


def _form_page(programme: Programme, form: RiskForm, risk: Risk | None, **extra: Any) -> str:
    return render_template(
        "risks/form.html",
        programme=programme,
        form=form,
        risk=risk,
        consequence_levels=CONSEQUENCE_LEVELS,
        likelihood_levels=LIKELIHOOD_LEVELS,
        **extra,
    )


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str) -> str | Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(
        can_add_risk(viewer, programme.id),
        "Only the programme office and workstream leads raise risks.",
    )
    form = RiskForm()
    form.set_choices(board.workstreams(programme), risks.people())
    if request.method == "GET":
        form.owner.data = str(viewer.person_id) if viewer.person_id else ""
        form.raised_on.data = today()
    done = attempt(form, lambda: risks.create_risk(viewer, programme, form.plan()))
    if done.saved:
        ref, title = done.result.ref, done.result.title
        flash(f"Added {ref} {title}.", "success")
        return _risk_page(slug, ref)
    return _form_page(programme, form, None)


@bp.route("/<ref>/edit", methods=["GET", "POST"])
def edit(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    viewer = current_viewer()
    form = RiskForm()
    form.set_choices(board.workstreams(programme, include_retired=True), risks.people())
    if request.method == "GET":
        form.fill(risk)
        form.open(risk.version)
    ref = risk.ref
    done = attempt(
        form, lambda: risks.update_risk(viewer, programme, risk, form.seen(), form.plan())
    )
    if done.saved:
        flash(f"Saved the changes to {ref} {form.plan().title.strip()}.", "success")
        return _risk_page(slug, ref)
    return _form_page(programme, form, risk, conflict=done.conflict)


@bp.route("/<ref>/review", methods=["GET", "POST"])
def review(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    form = ReviewForm()
    if request.method == "GET":
        form.consequence.data = risk.consequence
        form.likelihood.data = risk.likelihood
        form.open(risk.version)
    ref = risk.ref

    def record() -> RiskReview:
        return risks.record_review(
            current_viewer(),
            risk,
            form.seen(),
            consequence=form.consequence.data if not form.consequence.errors else None,
            likelihood=form.likelihood.data if not form.likelihood.errors else None,
            note=form.note.data,
            next_review_on=form.review_on.data,
            today=today(),
        )

    done = attempt(form, record)
    if done.saved:
        flash(f"Review of {ref} recorded: score now {done.result.score}.", "success")
        return _risk_page(slug, ref, "reviews")
    return render_template(
        "risks/review.html",
        programme=programme,
        risk=risk,
        form=form,
        conflict=done.conflict,
        consequence_levels=CONSEQUENCE_LEVELS,
        likelihood_levels=LIKELIHOOD_LEVELS,
    )


@bp.route("/<ref>/close", methods=["GET", "POST"])
def close(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    form = CloseForm()
    if request.method == "GET":
        form.open(risk.version)
    ref = risk.ref
    done = attempt(
        form, lambda: risks.close_risk(current_viewer(), risk, form.seen(), form.closed_note.data)
    )
    if done.saved:
        flash(f"{ref} is closed.", "success")
        return _risk_page(slug, ref)
    return render_template(
        "risks/close.html", programme=programme, risk=risk, form=form, conflict=done.conflict
    )


@bp.post("/<ref>/reopen")
def reopen(slug: str, ref: str) -> Response:
    """A button with no form to fill in."""
    _, risk = _editable(slug, ref)
    ref = risk.ref
    try:
        risks.reopen_risk(current_viewer(), risk, Seen(request.form.get("version", type=parse_id)))
    except ChangeRefused as refused:
        flash_refusal(refused, ref)
    else:
        flash(f"{ref} is open again.", "success")
    return _risk_page(slug, ref)


@bp.route("/<ref>/actions/new", methods=["GET", "POST"])
def new_action(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    form = ActionForm()
    form.set_choices(risks.people())
    if request.method == "GET":
        form.owner.data = str(risk.owner_id)
    ref = risk.ref
    done = attempt(
        form,
        lambda: risks.add_action(
            current_viewer(),
            risk,
            description=form.description.data,
            owner_id=to_id(form.owner.data),
            due_on=form.due_on.data,
        ),
    )
    if done.saved:
        flash(f"Action added to {ref}.", "success")
        return _risk_page(slug, ref, "actions")
    return render_template("risks/action_form.html", programme=programme, risk=risk, form=form)


@bp.post("/<ref>/actions/done")
def action_done(slug: str, ref: str) -> Response:
    _, risk = _editable(slug, ref)
    ref = risk.ref
    try:
        risks.complete_action(
            current_viewer(), risk, request.form.get("action_id", type=parse_id), today()
        )
    except ChangeRefused as refused:
        flash_refusal(refused, ref)
        if refused.refusal is Refusal.CONFLICT:
            return _risk_page(slug, ref)
    else:
        flash(f"Action on {ref} marked done.", "success")
    return _risk_page(slug, ref, "actions")
