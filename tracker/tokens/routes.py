"""Personal API tokens: everyone makes and revokes their own; admins may revoke anyone's.

A new token is rendered once, on the response to the POST that made it: never flashed,
redirected or stored, since only its digest is kept.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.domain.validation import ValidationError
from tracker.extensions import db
from tracker.models import User
from tracker.security import require
from tracker.services import api_tokens
from tracker.tokens.forms import NewTokenForm

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
        others=api_tokens.live_tokens_of_others(me) if me.is_admin else None,
    )


@bp.get("/account/api-tokens")
def index() -> str:
    return _index_page(NewTokenForm(formdata=None))


@bp.post("/account/api-tokens")
def create() -> str:
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            made = api_tokens.create_token(_me(), form.name.data)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, *exc.messages().values()]
        else:
            return render_template("tokens/created.html", token=made.record, secret=made.secret)
    return _index_page(form)


@bp.post("/account/api-tokens/revoke")
def revoke() -> Response:
    token_id = request.form.get("token_id", type=int)
    token = api_tokens.token_by_id(token_id) if token_id is not None else None
    if token is None:
        abort(404, description="There is no such API token.")
    require(api_tokens.may_revoke(_me(), token), "Only its owner or an admin may revoke a token.")
    api_tokens.revoke(token)
    db.session.commit()
    owner = "" if token.user_id == _me().id else f" of {token.user.name}"
    flash(f"The API token '{token.name}'{owner} ({token.prefix}…) is revoked.", "success")
    return redirect(url_for("tokens.index"))
