from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("calendars", __name__)


@bp.get("/account/calendar")
def index() -> str:
    return render_template("calendars/index.html")
