"""Fields and form bases the areas' forms share. Forms only read what was typed; whether it
is allowed is the domain's rule to say (tracker/domain/validation.py), in the same words on
the pages and in the API."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectMultipleField
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


def field_words(label: str) -> str:
    """A field's label as a sentence names it: "Date completed" is "date completed"; an
    abbreviation (RAG, API) keeps its capitals."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in label.split())


class MaxLength:
    """A limit a form keeps itself (a search box, the sign-in page), in the words the rules
    use for theirs (validation.check_title): "The search is 250 characters: keep it to 200"."""

    def __init__(self, limit: int, what: str | None = None) -> None:
        self.limit = limit
        self.what = what

    def __call__(self, form: Any, field: Any) -> None:
        length = len(field.data or "")
        if length > self.limit:
            what = self.what or field_words(field.label.text)
            raise StopValidation(f"The {what} is {length} characters: keep it to {self.limit}")


def choose_from_list(what: str) -> str:
    """The message for a choice that is not on the list: "Choose a workstream from the list"."""
    return f"Choose {what} from the list"


# How dates are written on forms: what a browser's date picker sends (2022-04-01), and what
# people type where it shows a text box instead.
DATE_EXAMPLE = "1 April 2022"
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTHS = {name: n for n, name in enumerate(_MONTHS, 1)} | {
    name[:3]: n for n, name in enumerate(_MONTHS, 1)
}
MONTHS["sept"] = 9
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_WORDS = re.compile(r"([0-9]{1,2}) ([a-z]+)\.? ([0-9]{4})")


def parse_date(text: str) -> date | None:
    """A date as it is typed: 1 April 2022, 1 Apr 2022, 01/04/2022 (day first, as in the UK)
    or 2022-04-01. None when it is none of those, or no such day (31 June)."""
    text = " ".join(text.lower().split())
    if found := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    elif found := _UK.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    elif (found := _WORDS.fullmatch(text)) and found[2] in MONTHS:
        day, month, year = int(found[1]), MONTHS[found[2]], int(found[3])
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_message(what: str) -> str:
    return f"Enter the {what} as a date, like {DATE_EXAMPLE}"


class IdsField(SelectMultipleField):
    """Ticked boxes naming records by id (the workstreams someone leads). A value that is no
    id is named here (the ids read still reach the service, which names any the programme
    does not have)."""

    def pre_validate(self, form: object) -> None:
        return None

    def process_formdata(self, valuelist: list[str]) -> None:
        ids = [parse_id(v) for v in valuelist]
        self.data = [i for i in ids if i is not None]
        if len(self.data) != len(ids):
            raise ValueError(choose_from_list(f"the {field_words(self.label.text)}"))


class OptionalDateField(DateField):
    """A date where empty means none: whether one is needed is the rules' to say. Reads the
    ways people write a date (parse_date); one it cannot read is named by the field's label
    ("Enter the date completed as a date, like 1 April 2022"), or by `what` when the label is
    not a name ("Due on or after")."""

    data: date | None

    def __init__(self, *args: Any, what: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what = what or field_words(self.label.text)
        self.invalid_value_message = date_message(self.what)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = " ".join(str(value) for value in valuelist)
        if not text.strip():
            self.data = None
            return
        self.data = parse_date(text)
        if self.data is None:
            raise ValueError(self.invalid_value_message)

    def _value(self) -> str:
        # A date read is sent back as the date picker writes it; one not read, as typed.
        if self.data is not None:
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""


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
