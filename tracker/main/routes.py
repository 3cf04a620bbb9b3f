from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from tracker.security import current_viewer
from tracker.services import programmes

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str | Response:
    """Straight to the only programme (a lead to their own workstreams in it); a list when
    there are several."""
    found = programmes.list_programmes()
    if len(found) == 1:
        programme = found[0]
        if current_viewer().led_workstream_ids & programmes.workstream_ids(programme):
            return redirect(url_for("updates.my_workstreams", slug=programme.slug))
        return redirect(url_for("dashboard.show", slug=programme.slug))
    return render_template("main/index.html", programmes=found)
