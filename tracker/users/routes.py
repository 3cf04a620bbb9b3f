from __future__ import annotations

from flask import Blueprint, render_template

from tracker.domain.permissions import can_manage_users
from tracker.security import current_viewer, require

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
def index() -> str:
    require(can_manage_users(current_viewer()))
    return render_template("users/index.html")
