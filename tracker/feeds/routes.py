from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("feeds", __name__)


@bp.get("/calendar/<token>.ics")
def calendar(token: str) -> str:
    abort(404)
