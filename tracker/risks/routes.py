from __future__ import annotations

from flask import Blueprint, render_template

from tracker.clock import today
from tracker.services import board
from tracker.services.programmes import get_programme_or_404

bp = Blueprint("risks", __name__, url_prefix="/p/<slug>/risks")


@bp.get("/")
def index(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return render_template(
        "risks/index.html", programme=programme, risks=board.risk_lines(programme, today())
    )
