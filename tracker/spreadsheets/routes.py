from __future__ import annotations

from flask import Blueprint, render_template

from tracker.services.programmes import get_programme_or_404

bp = Blueprint("spreadsheets", __name__, url_prefix="/p/<slug>")


@bp.get("/spreadsheets/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return render_template("spreadsheets/index.html", programme=programme)
