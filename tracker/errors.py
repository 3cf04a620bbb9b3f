"""Error pages."""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        from tracker.api.errors import http_error_response, is_api_request

        # Addresses under /api/v1 that no route matched (404, 405) answer in the API's
        # JSON error shape too; errors inside its routes are the blueprint's own.
        if is_api_request():
            return http_error_response(error)
        code = error.code or 500
        if isinstance(error, RequestEntityTooLarge):
            return _too_large(error), 413
        return render_template("error.html", error=error), code


def _too_large(error: HTTPException) -> str:
    """Its own page: what was sent is gone, so say how much fits and what to do."""
    from tracker.request_guard import too_large_message

    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return render_template(
        "error_413.html",
        error=error,
        message=too_large_message(int(limit)) if limit else error.description,
    )
