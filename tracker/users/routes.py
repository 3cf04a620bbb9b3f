"""Admins manage accounts. A temporary password is rendered once on the response to the POST
that made it, never flashed or redirected: the session cookie must never hold a password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_manage_users
from tracker.domain.validation import ValidationError
from tracker.extensions import db
from tracker.models import User
from tracker.security import current_viewer, require
from tracker.services import accounts
from tracker.services.programmes import list_programmes
from tracker.users.forms import AccountForm, NewUserForm

bp = Blueprint("users", __name__, url_prefix="/users")

# Where a service's field names land on the forms.
FIELD_NAMES = {"workstream": "workstreams"}


def _me() -> User:
    user: User = current_user._get_current_object()  # the User itself, not the proxy
    return user


def _show_errors(form: AccountForm, exc: ValidationError) -> None:
    """Each message next to its field; those about no field of the form above it."""
    for error in exc.errors:
        name = FIELD_NAMES.get(error.field, error.field)
        if name in form._fields and name != "csrf_token":
            field = form[name]
            field.errors = [*field.errors, error.message]  # a tuple until validated
        else:
            form.form_errors.append(error.message)


def _account_form(user: User, post: bool = True) -> AccountForm:
    """The edit form: what was posted, or (post=False, or on GET) the account as it is."""
    current = {
        "role": user.role,
        "workstreams": [ws.id for ws in accounts.led_workstreams(user.person)],
    }
    form = AccountForm(data=current) if post else AccountForm(formdata=None, data=current)
    form.set_workstream_choices(accounts.all_workstreams())
    return form


def _edit_page(user: User, form: AccountForm) -> str:
    return render_template("users/edit.html", user=user, form=form, own=user.id == _me().id)


@bp.get("/")
def index() -> str:
    require(can_manage_users(current_viewer()))
    return render_template(
        "users/index.html",
        accounts=accounts.list_accounts(),
        several_programmes=len(list_programmes()) > 1,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str:
    require(can_manage_users(current_viewer()))
    form = NewUserForm()
    form.set_workstream_choices(accounts.all_workstreams())
    if form.validate_on_submit():
        password = accounts.generate_password()
        try:
            user = accounts.create_user(
                form.email.data,
                form.role.data,
                password,
                name=form.name.data,
                workstreams=accounts.workstreams_by_id(form.workstreams.data or []),
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            _show_errors(form, exc)
        else:
            return render_template(
                "users/temporary_password.html", user=user, password=password, created=True
            )
    return render_template("users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int) -> str | Response:
    require(can_manage_users(current_viewer()))
    user = accounts.get_user_or_404(user_id)
    form = _account_form(user)
    if form.validate_on_submit():
        try:
            accounts.change_account(
                user,
                form.role.data,
                accounts.workstreams_by_id(form.workstreams.data or []),
                by=_me(),
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            _show_errors(form, exc)
        else:
            flash(f"Saved the role and workstreams of {user.name}.", "success")
            return redirect(url_for("users.index"))
    return _edit_page(user, form)


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int) -> str | Response:
    require(can_manage_users(current_viewer()))
    user = accounts.get_user_or_404(user_id)
    try:
        accounts.deactivate_account(user, by=_me())
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        form = _account_form(user, post=False)
        _show_errors(form, exc)
        return _edit_page(user, form)
    flash(f"{user.name} can no longer sign in.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    require(can_manage_users(current_viewer()))
    user = accounts.get_user_or_404(user_id)
    accounts.reactivate(user)
    db.session.commit()
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reset-password")
def reset_password(user_id: int) -> str:
    require(can_manage_users(current_viewer()))
    user = accounts.get_user_or_404(user_id)
    if user.id == _me().id:
        # It would sign them out; their own password is changed knowing the current one.
        form = _account_form(user, post=False)
        form.form_errors.append(
            "You cannot reset your own password here: use 'Change your password' instead"
        )
        return _edit_page(user, form)
    password = accounts.reset_to_temporary_password(user)
    db.session.commit()
    return render_template(
        "users/temporary_password.html", user=user, password=password, created=False
    )
