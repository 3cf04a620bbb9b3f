"""Fields and form bases the areas' forms share. Forms only read what was typed; whether it
is allowed is the domain's rule to say (tracker/domain/validation.py), in the same words on
the pages and in the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField

from tracker.services.optimistic_locking import Seen, opened_now


class OptionalDateField(DateField):
    """A date where empty means none: whether one is needed is the rules' to say."""

    data: date | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", "Enter a real date, like 2022-07-01")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class VersionedForm(FlaskForm):
    """Carries the version the record was opened at and when (services/optimistic_locking.py).
    The version is a string, so that after a conflict the form shows the version set here, not
    the one posted."""

    version = HiddenField()
    opened_at = HiddenField()

    def open(self, version: int) -> None:
        """Fill in the hidden fields when the form is first shown."""
        self.version.data = str(version)
        self.opened_at.data = opened_now()

    def submitted_version(self) -> int | None:
        value = self.version.data
        return int(value) if value and str(value).isdigit() else None

    def seen(self) -> Seen:
        """What the person was looking at, for the service to check against."""
        return Seen(self.submitted_version(), self.opened_at.data)


class OpenedForm(FlaskForm):
    """Carries when the form was opened: a change to the record after that is shown, not
    overwritten (optimistic_locking.changed_since_opened): issues and decisions have no
    version column."""

    opened_at = HiddenField()

    def open(self) -> None:
        self.opened_at.data = opened_now()

    def seen(self) -> Seen:
        return Seen(None, self.opened_at.data, required=False)
