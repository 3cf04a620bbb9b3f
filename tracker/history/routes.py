from __future__ import annotations

from flask import Blueprint, render_template

from tracker.services.programmes import get_programme_or_404

bp = Blueprint("history", __name__, url_prefix="/p/<slug>")


@bp.get("/history")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return render_template("history/index.html", programme=programme)
