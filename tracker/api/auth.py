"""Who is calling: a personal API token in `Authorization: Bearer ...`, and nothing else.

The session cookie is never accepted here. The API takes no CSRF token, so a cookie would
let any website a signed-in person visits make changes in their name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, g, request

from tracker import audit
from tracker.api.errors import WWW_AUTHENTICATE, ApiError
from tracker.services import api_tokens
from tracker.services.accounts import viewer_for

if TYPE_CHECKING:
    from tracker.models import User

# Open to anyone: what the API offers is no secret.
OPEN_ENDPOINTS = {"api.openapi_document"}
WHAT = {"slug": "programme", "ref": "milestone"}


def api_user() -> User:
    """The token's user, for views that record who did something."""
    user: User = g.api_user
    return user


def _authenticate() -> None:
    if request.endpoint in OPEN_ENDPOINTS:
        return
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        raise ApiError(
            401,
            "Send a personal API token in the Authorization header: 'Bearer tt_...'. "
            "Make one on the 'API tokens' page.",
        )
    # Notes when the token was last used, in its own unit of work: kept even if the request
    # itself then fails.
    user = api_tokens.use_token(credentials.token)
    if user is None:
        raise ApiError(
            401,
            "The API token is not valid: it may be mistyped or revoked, or its account "
            "deactivated.",
            headers={"WWW-Authenticate": WWW_AUTHENTICATE + ', error="invalid_token"'},
        )
    g.api_user = user
    # The same rules as the pages: security.current_viewer() reads this.
    g.viewer = viewer_for(user, (request.view_args or {}).get("slug"))
    g.api_audit_token = audit.start_acting(audit.Actor(user.name, user.id))


def _refuse_unreadable_addresses() -> None:
    """A NUL in a programme or milestone reference can name nothing, and PostgreSQL refuses
    it outright: answer 404 without asking the database."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            raise ApiError(404, f"There is no {WHAT.get(name, name)} like that here.")


def _stop_attributing(error: BaseException | None) -> None:
    token = g.pop("api_audit_token", None)
    if token is not None:
        audit.stop_acting(token)


def _private(response: Response) -> Response:
    # Each answer is for one token's holder: not for shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def init_blueprint(bp: Blueprint) -> None:
    bp.before_request(_authenticate)
    bp.before_request(_refuse_unreadable_addresses)
    bp.teardown_request(_stop_attributing)
    bp.after_request(_private)
