"""The sign-in and account forms. They only read what was typed: whether a new password will
do is the rules' to say (services/accounts.py, domain/validation.py check_password)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired

from tracker.domain.validation import MAX_PASSWORD_LENGTH
from tracker.form_fields import MaxLength

# The longest email address there is (RFC 5321): a longer one cannot have an account.
EMAIL_LIMIT = 254


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), MaxLength(EMAIL_LIMIT)],
    )
    # A limit here too, so a megabyte typed as a password is never hashed.
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password"), MaxLength(MAX_PASSWORD_LENGTH)],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password")
    new_password = PasswordField("New password")
    confirm_password = PasswordField("Confirm new password")


class DigestSettingsForm(FlaskForm):
    wants_digest = BooleanField("Send me the weekly status email every Monday")
