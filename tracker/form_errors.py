"""Putting validation messages on a WTForms form, the NHS.UK way: next to their field."""

from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.domain.validation import FieldError

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
