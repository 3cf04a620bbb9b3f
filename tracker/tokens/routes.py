from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("tokens", __name__)


@bp.get("/account/api-tokens")
def index() -> str:
    return render_template("tokens/index.html")
