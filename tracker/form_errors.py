"""Putting what the services say on a WTForms form, the NHS.UK way: next to their field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, flash
from flask_wtf import FlaskForm

from tracker.domain.validation import FieldError
from tracker.services.optimistic_locking import EditConflict, opened_now
from tracker.services.unit_of_work import ChangeRefused, Refusal, rehearsal

T = TypeVar("T")

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


@dataclass
class Attempt:
    """What became of a form's POST: saved, or not (its errors are on the form), with the
    conflict to show when someone else saved first."""

    saved: bool = False
    conflict: EditConflict | None = None
    result: Any = None


def attempt(form: FlaskForm, change: Callable[[], T]) -> Attempt:
    """Send a submitted form's change to its service, showing every problem at once.

    When the form could be read, the change is made (one service call). When a field could
    not be read (a date like "31 June"), the same call runs as a rehearsal (checked, then
    rolled back: services/unit_of_work.rehearsal), so the other fields' problems show beside
    the one that could not be read, never one at a time. A missing or stale CSRF token is
    the only error that stops it early: then nothing is checked.
    """
    if not form.is_submitted():
        return Attempt()
    if form.validate():
        try:
            return Attempt(saved=True, result=change())
        except ChangeRefused as refused:
            return Attempt(conflict=show_refusal(form, refused))
    if "csrf_token" in form.errors:
        return Attempt()
    try:
        with rehearsal():
            change()
    except ChangeRefused as refused:
        return Attempt(conflict=show_refusal(form, refused))
    return Attempt()
