from __future__ import annotations

from flask import Blueprint, render_template

from tracker.domain.permissions import can_manage_users
from tracker.security import current_viewer, require
from tracker.services.programmes import get_programme_or_404

bp = Blueprint("digests", __name__, url_prefix="/p/<slug>")


@bp.get("/digest/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    require(can_manage_users(current_viewer()))
    return render_template("digests/index.html", programme=programme)
