"""The risk register: the heatmap and list, each risk's page, and the changes leads and the
programme office make. Every view checks the viewer's rights on the server, GET and POST."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
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
from tracker.domain.validation import FieldError, ValidationError
from tracker.extensions import db
from tracker.form_errors import show_errors
from tracker.models import Programme, Risk
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
from tracker.services.editing import EditConflict, changes_since, ensure_current, opened_now
from tracker.services.programmes import get_programme_or_404

bp = Blueprint("risks", __name__, url_prefix="/p/<slug>/risks")

NOT_YOURS = "Only the programme office, the risk's owner and its workstream's lead change a risk."


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
    require(can_edit_risk(current_viewer(), risk.owner_id, risk.workstream_id), NOT_YOURS)
    return programme, risk


def _risk_page(programme: Programme, risk: Risk, anchor: str | None = None) -> Response:
    return redirect(url_for("risks.show", slug=programme.slug, ref=risk.ref, _anchor=anchor))


def _person_id() -> int | None:
    return current_user.person_id if current_user.is_authenticated else None


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
    form.set_choices(board.workstreams(programme), bands, owners)
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
        can_add=can_add_risk(current_viewer()),
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
        may_edit=can_edit_risk(current_viewer(), risk.owner_id, risk.workstream_id),
        may_add_issue=can_add_issue(current_viewer()),
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
    require(can_add_risk(viewer), "Only the programme office and workstream leads raise risks.")
    form = RiskForm()
    form.set_choices(board.workstreams(programme), risks.people())
    if request.method == "GET":
        form.owner.data = str(viewer.person_id) if viewer.person_id else ""
        form.raised_on.data = today()
    else:
        # Every problem at once: what could not be read, then what the rules refuse.
        form.validate()
        show_errors(form, risks.risk_problems(programme, form.plan(), viewer)[0])
        if not form.errors:
            try:
                risk = risks.create_risk(programme, form.plan(), viewer)
                db.session.commit()
            except ValidationError as exc:
                db.session.rollback()
                show_errors(form, exc.errors)
            except IntegrityError:  # the same reference taken by someone else just now
                db.session.rollback()
                form.form_errors.append(
                    "Someone else added a risk at the same moment. Save again to add yours."
                )
            else:
                flash(f"Added {risk.ref} {risk.title}.", "success")
                return _risk_page(programme, risk)
    return _form_page(programme, form, None)


@bp.route("/<ref>/edit", methods=["GET", "POST"])
def edit(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    viewer = current_viewer()
    form = RiskForm()
    form.set_choices(board.workstreams(programme), risks.people())
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(risk)
        form.version.data = str(risk.version)
        form.opened_at.data = opened_now()
    else:
        form.validate()
        try:
            ensure_current(
                "Risk", risk.id, risk.version, form.submitted_version(), form.opened_at.data
            )
            problems = risks.risk_problems(programme, form.plan(), viewer, status=risk.status)[0]
            show_errors(form, problems)
            if not form.errors:
                risks.update_risk(programme, risk, form.plan(), viewer)
                db.session.commit()
                flash(f"Saved the changes to {risk.ref} {risk.title}.", "success")
                return _risk_page(programme, risk)
        except EditConflict as exc:
            conflict = exc
        except StaleDataError:
            # Saved by someone else between reading the risk and writing it.
            db.session.rollback()
            risk = _risk_or_404(programme, ref)
            conflict = EditConflict(
                risk.version, changes_since("Risk", risk.id, form.opened_at.data)
            )
        except ValidationError as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        if conflict is not None:
            # Saving again is now a deliberate choice over the changes shown.
            form.version.data = str(conflict.current_version)
            form.opened_at.data = opened_now()
    return _form_page(programme, form, risk, conflict=conflict)


def _versioned_change(
    programme: Programme,
    risk: Risk,
    form: ReviewForm | CloseForm,
    change: Any,
    problems: list[FieldError],
) -> tuple[bool, EditConflict | None]:
    """Applies `change` if the form was opened at the risk's current version and nothing is
    wrong; (saved, conflict)."""
    conflict = None
    try:
        ensure_current("Risk", risk.id, risk.version, form.submitted_version(), form.opened_at.data)
        show_errors(form, problems)
        if not form.errors:
            change()
            db.session.commit()
            return True, None
    except EditConflict as exc:
        conflict = exc
    except StaleDataError:
        db.session.rollback()
        fresh = _risk_or_404(programme, risk.ref)
        conflict = EditConflict(fresh.version, changes_since("Risk", fresh.id, form.opened_at.data))
    except ValidationError as exc:
        db.session.rollback()
        show_errors(form, exc.errors)
    if conflict is not None:
        form.version.data = str(conflict.current_version)
        form.opened_at.data = opened_now()
    return False, conflict


@bp.route("/<ref>/review", methods=["GET", "POST"])
def review(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    form = ReviewForm()
    conflict = None
    if request.method == "GET":
        form.consequence.data = risk.consequence
        form.likelihood.data = risk.likelihood
        form.version.data = str(risk.version)
        form.opened_at.data = opened_now()
    else:
        form.validate()
        scores = {
            "consequence": form.consequence.data if not form.consequence.errors else None,
            "likelihood": form.likelihood.data if not form.likelihood.errors else None,
        }
        details = {
            **scores,
            "note": form.note.data,
            "next_review_on": form.review_on.data,
            "today": today(),
        }
        saved, conflict = _versioned_change(
            programme,
            risk,
            form,
            lambda: risks.record_review(
                risk, **details, reviewer_id=_person_id(), viewer=current_viewer()
            ),
            risks.review_problems(risk, **details),
        )
        if saved:
            flash(f"Review of {risk.ref} recorded: score now {risk.score}.", "success")
            return _risk_page(programme, risk, "reviews")
    return render_template(
        "risks/review.html",
        programme=programme,
        risk=risk,
        form=form,
        conflict=conflict,
        consequence_levels=CONSEQUENCE_LEVELS,
        likelihood_levels=LIKELIHOOD_LEVELS,
    )


@bp.route("/<ref>/close", methods=["GET", "POST"])
def close(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    form = CloseForm()
    conflict = None
    if request.method == "GET":
        form.version.data = str(risk.version)
        form.opened_at.data = opened_now()
    else:
        form.validate()
        saved, conflict = _versioned_change(
            programme,
            risk,
            form,
            lambda: risks.close_risk(risk, form.closed_note.data, current_viewer()),
            [],
        )
        if saved:
            flash(f"{risk.ref} is closed.", "success")
            return _risk_page(programme, risk)
    return render_template(
        "risks/close.html", programme=programme, risk=risk, form=form, conflict=conflict
    )


def _one_click(slug: str, ref: str, change: Any, done: str, anchor: str | None = None) -> Response:
    """A button with no form to fill in (reopen a risk, mark an action done)."""
    programme, risk = _editable(slug, ref)
    try:
        change(programme, risk)
        db.session.commit()
    except (EditConflict, StaleDataError):
        db.session.rollback()
        flash(
            f"{risk.ref} was changed by someone else while you were looking at it. "
            "Check it below and try again.",
            "warning",
        )
        return _risk_page(programme, risk)
    except ValidationError as exc:
        db.session.rollback()
        flash("; ".join(e.message for e in exc.errors), "warning")
    else:
        flash(done.format(ref=risk.ref), "success")
    return _risk_page(programme, risk, anchor)


@bp.post("/<ref>/reopen")
def reopen(slug: str, ref: str) -> Response:
    def change(programme: Programme, risk: Risk) -> None:
        submitted = request.form.get("version", type=int)
        ensure_current("Risk", risk.id, risk.version, submitted, None)
        risks.reopen_risk(risk, current_viewer())

    return _one_click(slug, ref, change, "{ref} is open again.")


@bp.route("/<ref>/actions/new", methods=["GET", "POST"])
def new_action(slug: str, ref: str) -> str | Response:
    programme, risk = _editable(slug, ref)
    form = ActionForm()
    form.set_choices(risks.people())
    if request.method == "GET":
        form.owner.data = str(risk.owner_id)
    else:
        form.validate()
        details = {
            "description": form.description.data,
            "owner_id": to_id(form.owner.data),
            "due_on": form.due_on.data,
        }
        show_errors(form, risks.action_problems(risk, **details))
        if not form.errors:
            try:
                risks.add_action(risk, **details, viewer=current_viewer())
                db.session.commit()
            except ValidationError as exc:
                db.session.rollback()
                show_errors(form, exc.errors)
            else:
                flash(f"Action added to {risk.ref}.", "success")
                return _risk_page(programme, risk, "actions")
    return render_template("risks/action_form.html", programme=programme, risk=risk, form=form)


@bp.post("/<ref>/actions/done")
def action_done(slug: str, ref: str) -> Response:
    def change(programme: Programme, risk: Risk) -> None:
        action_id = request.form.get("action_id", type=int)
        risks.complete_action(risk, action_id, today(), current_viewer())

    return _one_click(slug, ref, change, "Action on {ref} marked done.", "actions")
