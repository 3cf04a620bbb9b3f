"""Fields and form bases the areas' forms share. Forms only read what was typed; whether it
is allowed is the domain's rule to say (tracker/domain/validation.py), in the same words on
the pages and in the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from tracker.domain.programme_settings import REGIONS
from tracker.domain.validation import check_date_in_window
from tracker.services.optimistic_locking import Seen, opened_now

# The largest id (and any whole number a form or address sends) the database can hold: its
# INTEGER columns are 32-bit. A larger number names nothing, so it is read as no id at all,
# never handed to the database to fail on (OverflowError, "integer out of range").
ID_MAX = 2_147_483_647


def parse_id(value: object) -> int | None:
    """The id a form field, query parameter or address names, or None when it names none: not
    plain ASCII digits, or outside 1 to ID_MAX. Every page reads ids through this."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= ID_MAX else None
    text = str(value if value is not None else "").strip()
    if not text or len(text) > len(str(ID_MAX)) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


class IdField(IntegerField):
    """A record's id, usually in a hidden field: anything that is not one (parse_id) leaves
    the field empty, with an error, so no number the database cannot hold reaches it."""

    data: int | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = parse_id(valuelist[0])
        if self.data is None and str(valuelist[0]).strip():
            raise ValueError(self.gettext("Not a valid id."))


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


class InDateWindow:
    """A filter's date within the tracker's window: the domain's rule and words
    (check_date_in_window). A filter date beyond it would find nothing, and the year 9999
    has no next day to search up to."""

    def __call__(self, form: Any, field: Any) -> None:
        for error in check_date_in_window(field.name, field.data):
            raise StopValidation(error.message)


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
        return parse_id(self.version.data)

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


def region_field(default: str | None = None) -> RadioField:
    """Whose bank holidays a programme keeps, as radios. Any value is read: whether it is a
    region is the rules' to say (domain/programme_settings.py check_region)."""
    return RadioField(
        "Bank holidays",
        choices=[SelectChoice(code, name) for code, name in REGIONS.items()],
        default=default,
        validate_choice=False,
    )
