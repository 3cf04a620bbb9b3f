"""Error pages."""

from __future__ import annotations

from flask import Flask, Response, render_template
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        from tracker.api.errors import http_error_response, is_api_request

        # Addresses under /api/v1 that no route matched (404, 405) answer in the API's
        # JSON error shape too; errors inside its routes are the blueprint's own.
        if is_api_request():
            return http_error_response(error)
        code = error.code or 500
        return render_template("error.html", error=error), code
