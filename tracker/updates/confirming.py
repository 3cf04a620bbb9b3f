"""A change that shows its effect on the schedule before it is saved (docs/forecast-effect.md):
the lead's forecast here, the programme office's milestone edit in tracker/plan_edits/.

The POST is first checked as a rehearsal (every rule, the version, then rolled back:
services/unit_of_work.rehearsal); only a change that passes shows its effect, and only a
change whose effect needs confirming waits for "Save". The confirm step sends the typed values
back in hidden fields with the plan version the effect was worked out on: the milestone's own
version is checked again when it is saved, and a plan changed meanwhile shows the effect
again, worked out afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from flask import request
from flask_wtf import FlaskForm

from tracker.form_errors import Attempt, attempt
from tracker.services import board
from tracker.services.unit_of_work import rehearsal

if TYPE_CHECKING:
    from tracker.models import Programme

T = TypeVar("T")

CONFIRM, CHANGE = "confirm", "change"  # the confirm step's two buttons


def rehearsed(change: Callable[[], T]) -> Callable[[], T]:
    """The same change, checked and rolled back: nothing saved."""

    def run() -> T:
        with rehearsal():
            return change()

    return run


def check_first(form: FlaskForm, change: Callable[[], object]) -> Attempt:
    """Every problem on the form, as `attempt` shows them, with nothing saved; `saved` is
    True when the change would be."""
    return attempt(form, rehearsed(change))


def pressed(button: str) -> bool:
    return bool(request.form.get(button))


def save_or_confirm(
    programme: Programme,
    form: FlaskForm,
    save: Callable[[], object],
    confirm_page: Callable[[bool], str | None],
) -> Attempt | str:
    """Save the submitted change, or answer its confirm step instead.

    Unless this is "Save" on the confirm step for the plan as it still is, the change is
    checked first; one that passes asks `confirm_page` (told whether "Save" was pressed on a
    plan changed since) for the page showing its effect, or None to save it now."""
    if not confirmed(programme, form):
        checked = check_first(form, save)
        if not checked.saved:
            return checked
        page = confirm_page(pressed(CONFIRM))
        if page is not None:
            return page
    return attempt(form, save)


def confirmed(programme: Programme, form: FlaskForm) -> bool:
    """ "Save" on the confirm step, and the plan still the one its effect was worked out on
    (the form's hidden `plan_version`)."""
    if not pressed(CONFIRM) or "plan_version" not in form._fields:
        return False
    return (form.plan_version.data or "") == board.plan_version(programme)
