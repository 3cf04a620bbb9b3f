from __future__ import annotations

from flask import Blueprint, Response, jsonify

from tracker.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, never the session cookie, authenticate API calls; so no CSRF token is needed.
csrf.exempt(bp)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify({"openapi": "3.1.0", "info": {"title": "Transition tracker", "version": "1"}})
