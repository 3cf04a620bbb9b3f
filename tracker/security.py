"""Sign-in for every page, roles on the server, CSRF, rate limits and security headers."""

from __future__ import annotations

import secrets
import unicodedata
from typing import Any, NoReturn
from urllib.parse import urlsplit

from flask import Flask, abort, g, request, session
from flask_login import current_user, login_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from tracker import audit
from tracker.domain.permissions import Viewer
from tracker.extensions import csrf, limiter, login_manager

# The rate limiter, for the pages that limit attempts (signing in): pages do not import the
# extensions themselves (docs/architecture.md).
__all__ = [
    "PUBLIC_ENDPOINTS",
    "TOKEN_BLUEPRINTS",
    "csp_nonce",
    "current_viewer",
    "forbid",
    "init_app",
    "limiter",
    "require",
    "safe_next",
    "start_session",
]

# Endpoints anyone may reach without signing in (the accessibility statement must be
# readable before signing in: the regulations expect it on every page, the sign-in page too).
PUBLIC_ENDPOINTS = {
    "auth.sign_in",
    "main.accessibility_statement",
    "people.accept_invitation",
    "static",
}
# Blueprints that authenticate each request themselves, never with the session cookie: the
# API (bearer tokens) and calendar feeds (a secret token in the address).
TOKEN_BLUEPRINTS = {"api", "feeds"}


def init_app(app: Flask) -> None:
    if app.config.get("TRUSTED_PROXIES"):
        count = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    # A session cookie used from another address or browser is marked not fresh.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> Any:
        from tracker.services.accounts import load_user as load

        return load(user_id)

    app.before_request(_require_sign_in)
    app.before_request(_only_members_see_a_programme)
    app.before_request(_attribute_changes)
    app.teardown_request(_stop_attributing)
    app.after_request(_security_headers)
    app.context_processor(_template_context)


def _require_sign_in() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint in TOKEN_BLUEPRINTS:
        return None
    if current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def _only_members_see_a_programme() -> None:
    """Every page about a programme (its address holds the slug) is there only for its
    members and instance administrators; to anyone else there is no such programme."""
    if request.blueprint in TOKEN_BLUEPRINTS or not current_user.is_authenticated:
        return
    viewer = current_viewer()  # worked out for every page: services read it (g.viewer)
    slug = (request.view_args or {}).get("slug")
    if slug is not None and viewer.programme_id is None:
        abort(404, description=f"There is no programme called '{slug}'.")


def _attribute_changes() -> None:
    """Every change made while handling the request is recorded against the signed-in user."""
    if request.blueprint in TOKEN_BLUEPRINTS:
        return  # they attribute changes to the token's user themselves
    if current_user.is_authenticated:
        g.audit_token = audit.start_acting(audit.Actor(current_user.name, current_user.id))


def _stop_attributing(error: BaseException | None) -> None:
    token = g.pop("audit_token", None)
    if token is not None:
        audit.stop_acting(token)


def csp_nonce() -> str:
    """A fresh nonce per response for the few inline scripts the layout needs."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def _security_headers(response: Response) -> Response:
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            # Plotly sets style attributes and adds <style> elements as it draws.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user and current_user.is_authenticated and "Cache-Control" not in response.headers:
        # Pages for a signed-in user are not for shared caches or the back button after
        # signing out.
        response.headers["Cache-Control"] = "no-store"
    return response


def _template_context() -> dict[str, Any]:
    return {"cspNonce": csp_nonce(), "viewer": current_viewer}


def current_viewer() -> Viewer:
    """The signed-in user as the permission rules see them, worked out once per request, with
    the programme the page is about (from the slug in its address)."""
    if "viewer" not in g:
        if current_user.is_authenticated:
            from tracker.services.accounts import viewer_for

            slug = (request.view_args or {}).get("slug") if request else None
            g.viewer = viewer_for(current_user, slug if isinstance(slug, str) else None)
        else:
            g.viewer = Viewer()
    viewer: Viewer = g.viewer
    return viewer


def start_session(user: Any) -> None:
    """Signs `user` in on a fresh session: nothing carried over from before (sign-in, and
    accepting an invitation)."""
    session.clear()
    login_user(user)
    g.pop("viewer", None)  # worked out again for the person now signed in


def forbid(reason: str = "Your role does not allow that change.") -> NoReturn:
    abort(403, description=reason)


def require(allowed: bool, reason: str = "Your role does not allow that change.") -> None:
    """Stop the request with 403 unless the rule allowed it."""
    if not allowed:
        forbid(reason)


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: never another host (an open
    redirect helps phishing). Browsers drop tabs and newlines from an address and read a
    backslash as a slash, so `/%09/evil.example` (a tab) would go to //evil.example: any control,
    format or space character, or a backslash, refuses the whole of it, as does a scheme, a
    host, or anything but a single "/" at the start."""
    if not target or len(target) > 2000:
        return default
    if "\\" in target or any(
        ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target
    ):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    return target
