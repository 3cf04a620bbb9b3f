"""Plan health pages: the checks, for every member of the programme; the thresholds they are
judged by, for its admins (403 for everyone else). A change is one call to
services/plan_health.py, which checks the role again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_administer_programme
from tracker.domain.plan_health import CHECKS, THRESHOLD_BY_KEY, summary
from tracker.form_errors import attempt
from tracker.health.forms import ThresholdsForm
from tracker.security import current_viewer, require
from tracker.services import plan_health
from tracker.services.optimistic_locking import EditConflict
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Programme

bp = Blueprint("health", __name__, url_prefix="/p/<slug>")


@bp.get("/health")
def show(slug: str) -> str:
    programme = get_programme_or_404(slug)
    report = plan_health.report_for(programme)
    return render_template(
        "health/show.html",
        programme=programme,
        report=report,
        summary=summary(report) if report else None,
        may_change=can_administer_programme(current_viewer(), programme.id),
    )


def _programme_to_administer(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_administer_programme(current_viewer(), programme.id), plan_health.ONLY_ITS_ADMINS)
    return programme


@bp.route("/health/thresholds", methods=["GET", "POST"])
def thresholds(slug: str) -> str | Response:
    programme = _programme_to_administer(slug)
    form = ThresholdsForm()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(plan_health.thresholds_of(programme))
        form.open()
    else:
        values = form.values()
        said = (
            "The plan health thresholds are back to the DCMA defaults."
            if not values
            else "Saved the plan health thresholds."
        )
        done = attempt(
            form,
            lambda: plan_health.change_thresholds(current_viewer(), programme, form.seen(), values),
        )
        if done.saved:
            flash(said, "success")
            return redirect(url_for("health.show", slug=slug))
        conflict = done.conflict
    return render_template(
        "health/thresholds.html",
        programme=programme,
        form=form,
        conflict=conflict,
        checks=CHECKS,
        thresholds=THRESHOLD_BY_KEY,
    )
