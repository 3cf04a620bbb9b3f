"""Putting what the services say on a WTForms form, the NHS.UK way: next to their field."""

from __future__ import annotations

from flask import abort, flash
from flask_wtf import FlaskForm

from tracker.domain.validation import FieldError
from tracker.services.optimistic_locking import EditConflict, opened_now
from tracker.services.unit_of_work import ChangeRefused, Refusal

# Never shown as a field's own error: the person did not type them.
HIDDEN_FIELDS = ("version", "opened_at", "csrf_token")


def show_errors(form: FlaskForm, errors: list[FieldError]) -> None:
    """Each message next to its field; one for a field not on the form goes above it (the
    error summary lists both)."""
    for error in errors:
        field = form._fields.get(error.field)
        if field is None or error.field in HIDDEN_FIELDS:
            if error.message not in form.form_errors:
                form.form_errors.append(error.message)
        elif not field.errors:  # a field that could not be read already says so
            field.errors = [*field.errors, error.message]


def show_refusal(form: FlaskForm, refused: ChangeRefused) -> EditConflict | None:
    """A refused change, on the form it came from: 403 when the role does not allow it, the
    conflict to show (and the new version on the form) when someone else saved first, the
    messages by their fields when a rule was broken."""
    if refused.refusal is Refusal.NOT_ALLOWED:
        abort(403, description=refused.message)
    if refused.refusal is Refusal.CONFLICT and refused.conflict is not None:
        # Saving again is now a deliberate choice over the changes shown.
        version = refused.conflict.current_version
        if "version" in form._fields:
            form.version.data = version
            form.version.raw_data = [str(version)]
        if "opened_at" in form._fields:
            form.opened_at.data = opened_now()
            form.opened_at.raw_data = [form.opened_at.data]
        return refused.conflict
    show_errors(form, refused.errors or [FieldError("", refused.message)])
    return None


def flash_refusal(refused: ChangeRefused, what: str) -> None:
    """A refused one-click change (a button with no form), as a message on the next page."""
    if refused.refusal is Refusal.NOT_ALLOWED:
        abort(403, description=refused.message)
    if refused.refusal is Refusal.CONFLICT:
        flash(
            f"{what} was changed by someone else while you were looking at it. "
            "Check it below and try again.",
            "warning",
        )
    else:
        flash("; ".join(e.message for e in refused.errors) or refused.message, "warning")
