from __future__ import annotations

from flask import Blueprint, render_template

from tracker.domain.permissions import can_edit_plan
from tracker.security import current_viewer, require
from tracker.services.programmes import get_programme_or_404

bp = Blueprint("planning", __name__, url_prefix="/p/<slug>")


@bp.get("/plan-settings")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    require(can_edit_plan(current_viewer()))
    return render_template("planning/index.html", programme=programme)
