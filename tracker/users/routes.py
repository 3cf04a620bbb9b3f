"""Instance administrators manage accounts; each programme's admins manage who belongs to it
(its people pages). A temporary password is rendered once on the response to the POST
that made it, never flashed or redirected: the session cookie must never hold a password.

Each POST is one unit of work in tracker/services/user_admin.py, which checks the permission
again (can_manage_users) and the rules; a refusal is shown on the form it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_manage_users
from tracker.form_errors import attempt, show_refusal
from tracker.security import current_viewer, require
from tracker.services import accounts, memberships, user_admin
from tracker.services.optimistic_locking import EditConflict
from tracker.services.programmes import list_programmes
from tracker.services.unit_of_work import ChangeRefused
from tracker.users.forms import AccountForm, NewUserForm

if TYPE_CHECKING:
    from tracker.models import User

bp = Blueprint("users", __name__, url_prefix="/users")


def _account_form(user: User, post: bool = True) -> AccountForm:
    """The edit form: what was posted, or (post=False, or on GET) the account as it is."""
    current = {"instance_admin": "yes" if user.is_instance_admin else "no"}
    form = AccountForm(data=current) if post else AccountForm(formdata=None, data=current)
    if not post or request.method == "GET":
        form.open(user.version)
    return form


def _edit_page(user: User, form: AccountForm, conflict: EditConflict | None = None) -> str:
    return render_template(
        "users/edit.html",
        user=user,
        form=form,
        conflict=conflict,
        own=user.id == current_user.id,
        memberships=memberships.memberships_of(user.person),
        led=user_admin.led_workstreams(user.person),
    )


@bp.get("/")
def index() -> str:
    require(can_manage_users(current_viewer()))
    return render_template(
        "users/index.html",
        accounts=user_admin.list_accounts(),
        several_programmes=len(list_programmes(current_viewer())) > 1,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str:
    require(can_manage_users(current_viewer()))
    form = NewUserForm()
    form.set_choices(list_programmes(current_viewer()), user_admin.all_workstreams())
    password = accounts.generate_password()

    def create() -> User:
        first = None
        # Workstreams ticked with no role or programme are named, not dropped.
        if form.programme.data or form.role.data or form.workstreams.data:
            first = user_admin.FirstRole(
                form.role.data or "", form.programme.data or None, form.workstreams.data or []
            )
        return user_admin.create_account(
            current_viewer(),
            form.email.data or "",
            password,
            name=form.name.data,
            instance_admin=form.wants_instance_admin,
            first=first,
        )

    done = attempt(form, create)
    if done.saved:
        return render_template(
            "users/temporary_password.html", user=done.result, password=password, created=True
        )
    return render_template("users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int) -> str | Response:
    require(can_manage_users(current_viewer()))
    user = user_admin.get_user_or_404(user_id)
    form = _account_form(user)
    message = f"Saved {user.name}'s account."
    done = attempt(
        form,
        lambda: user_admin.change_account(
            current_viewer(), user, form.wants_instance_admin, seen=form.seen()
        ),
    )
    if done.saved:
        flash(message, "success")
        return redirect(url_for("users.index"))
    conflict = done.conflict
    return _edit_page(user, form, conflict)


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int) -> str | Response:
    require(can_manage_users(current_viewer()))
    user = user_admin.get_user_or_404(user_id)
    try:
        user_admin.deactivate_account(current_viewer(), user)
    except ChangeRefused as refused:
        form = _account_form(user, post=False)
        show_refusal(form, refused)
        return _edit_page(user, form)
    flash(f"{user.name} can no longer sign in.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int) -> str | Response:
    require(can_manage_users(current_viewer()))
    user = user_admin.get_user_or_404(user_id)
    try:
        user_admin.reactivate_account(current_viewer(), user)
    except ChangeRefused as refused:
        form = _account_form(user, post=False)
        show_refusal(form, refused)
        return _edit_page(user, form)
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reset-password")
def reset_password(user_id: int) -> str:
    require(can_manage_users(current_viewer()))
    user = user_admin.get_user_or_404(user_id)
    try:
        reset = user_admin.reset_password(current_viewer(), user)
    except ChangeRefused as refused:
        # Their own: it would sign them out; theirs is changed knowing the current one.
        form = _account_form(user, post=False)
        show_refusal(form, refused)
        return _edit_page(user, form)
    return render_template(
        "users/temporary_password.html", user=user, password=reset.password, created=False
    )
