from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from tracker.services import programmes

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str | Response:
    """Straight to the only programme; a list when there are several."""
    found = programmes.list_programmes()
    if len(found) == 1:
        return redirect(url_for("dashboard.show", slug=found[0].slug))
    return render_template("main/index.html", programmes=found)
