"""Personal API tokens: everyone makes and revokes their own; admins may revoke anyone's.

A new token is rendered once, on the response to the POST that made it: never flashed,
redirected or stored, since only its digest is kept. Each POST is one unit of work in
tracker/services/api_tokens.py, which checks whose token it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.form_errors import attempt, flash_refusal
from tracker.form_fields import parse_id
from tracker.security import current_viewer
from tracker.services import api_tokens
from tracker.services.unit_of_work import ChangeRefused
from tracker.tokens.forms import NewTokenForm

if TYPE_CHECKING:
    from tracker.models import User

bp = Blueprint("tokens", __name__)


def _me() -> User:
    user: User = current_user._get_current_object()  # the User itself, not the proxy
    return user


def _index_page(form: NewTokenForm) -> str:
    me = _me()
    return render_template(
        "tokens/index.html",
        form=form,
        tokens=api_tokens.tokens_of(me),
        others=api_tokens.live_tokens_of_others(me) if me.is_instance_admin else None,
    )


@bp.get("/account/api-tokens")
def index() -> str:
    return _index_page(NewTokenForm(formdata=None))


@bp.post("/account/api-tokens")
def create() -> str:
    form = NewTokenForm()
    done = attempt(form, lambda: api_tokens.make_token(current_viewer(), form.name.data))
    if done.saved:
        made = done.result
        return render_template("tokens/created.html", token=made.record, secret=made.secret)
    return _index_page(form)


@bp.post("/account/api-tokens/revoke")
def revoke() -> Response:
    token_id = request.form.get("token_id", type=parse_id)
    if token_id is None:
        abort(404, description="There is no such API token.")
    try:
        token = api_tokens.revoke_token(current_viewer(), token_id)
    except ChangeRefused as refused:
        flash_refusal(refused, "The API token")
        return redirect(url_for("tokens.index"))
    owner = "" if token.user_id == current_user.id else f" of {token.user.name}"
    flash(f"The API token '{token.name}'{owner} ({token.prefix}…) is revoked.", "success")
    return redirect(url_for("tokens.index"))
