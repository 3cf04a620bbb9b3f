from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.auth.forms import ChangePasswordForm, DigestSettingsForm, SignInForm
from tracker.domain.validation import normalise_email
from tracker.form_errors import attempt
from tracker.security import current_viewer, limiter, safe_next, start_session
from tracker.services import accounts

bp = Blueprint("auth", __name__)

# Never says which of the two was wrong: that would tell a stranger who has an account.
WRONG_DETAILS = "The email address or password is wrong, or the account is not active."
TOO_MANY = (
    "Too many sign-in attempts. For your security, wait a minute before trying again. "
    "If you have forgotten your password, ask the programme office to reset it."
)


def _email_key() -> str:
    return "sign-in:" + normalise_email(request.form.get("email", ""))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["SIGN_IN_ACCOUNT_RATE_LIMIT"], methods=["POST"], key_func=_email_key
)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    # Not attempt(): signing in names no field's problem to rehearse, and a password too long
    # to read is never hashed.
    if form.validate_on_submit():
        user = accounts.sign_in(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
        form.form_errors.append(WRONG_DETAILS)
    return render_template("auth/sign_in.html", form=form)


@bp.app_errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded) -> tuple[str, int]:
    form = SignInForm()
    form.form_errors.append(TOO_MANY)
    return render_template("auth/sign_in.html", form=form), 429


@bp.post("/sign-out")
def sign_out() -> Response:
    # Ends the session on the server too: a copy of this cookie no longer signs anyone in.
    accounts.sign_out(current_viewer())
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | Response:
    form = ChangePasswordForm()
    done = attempt(
        form,
        lambda: accounts.change_password(
            current_viewer(),
            form.current_password.data or "",
            form.new_password.data or "",
            form.confirm_password.data or "",
        ),
    )
    if done.saved:
        # The session id includes a token of the password: renew this session's.
        login_user(done.result)
        flash("Your password has been changed.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/email", methods=["GET", "POST"])
def digest_settings() -> str | Response:
    """Opt in or out of the weekly digest; every digest links here."""
    form = DigestSettingsForm(data={"wants_digest": not current_user.digest_opt_out})
    if attempt(
        form, lambda: accounts.set_digest_wanted(current_viewer(), bool(form.wants_digest.data))
    ).saved:
        flash(
            "You will get the weekly status email."
            if form.wants_digest.data
            else "You will no longer get the weekly status email.",
            "success",
        )
        return redirect(url_for("auth.digest_settings"))
    return render_template("auth/digest_settings.html", form=form)
