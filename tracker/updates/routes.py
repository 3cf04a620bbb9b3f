from __future__ import annotations

from flask import Blueprint, render_template

from tracker.services.programmes import get_programme_or_404

bp = Blueprint("updates", __name__, url_prefix="/p/<slug>")


@bp.get("/my-workstreams")
def my_workstreams(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return render_template("updates/my_workstreams.html", programme=programme)
