"""The scenarios' forms. They only read what was typed into an edit (tracker/domain/scenarios.py
dataclasses); whether the edit can be made, and the words for why not, are the domain's.

Each kind of edit has its own small form, its fields named as the edit's fields (`ref`,
`days`, `lag` ...) so that the domain's message lands beside the field it names. The
scenario's page shows one at a time (the kind chosen from a list of links).
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from tracker.domain import scenarios as domain
from tracker.domain.scenarios import Edit
from tracker.form_fields import OptionalDateField, VersionedForm, parse_id

REF_LIMIT = 20  # a milestone reference is short: more names nothing
LINK_TYPES = (
    ("FS", "Finish to start (FS): starts when the other finishes"),
    ("SS", "Start to start (SS): starts when the other starts"),
    ("FF", "Finish to finish (FF): finishes when the other finishes"),
    ("SF", "Start to finish (SF): finishes when the other starts"),
)
_WHOLE = re.compile(r"[-+−]?\d{1,6}")


def _ref(text: str | None) -> str:
    return (text or "").strip().upper()[: REF_LIMIT + 1]


class DaysField(StringField):
    """A whole number of working days, as typed ("3", "-2" for a lead). One that is not a
    number is named here; how many are allowed is the domain's to say."""

    data: Any

    def __init__(self, label: str, what: str = "number of working days", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip().replace("−", "-")
        if not text:
            self.data = None
            raise ValueError(f"Enter the {self.what}, like 5")
        if not _WHOLE.fullmatch(text):
            self.data = None
            raise ValueError(f"Enter the {self.what} as a whole number, like 5")
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class ScenarioForm(FlaskForm):
    """Making a scenario: its name and what it asks."""

    name = StringField("Name")
    description = TextAreaField("What it asks (optional)")


class DetailsForm(VersionedForm):
    """Renaming a scenario, or saying again what it asks."""

    name = StringField("Name")
    description = TextAreaField("What it asks (optional)")


class ApplyForm(VersionedForm):
    """Applying a scenario to the plan: the label of the baseline taken first."""

    label = StringField("Label of the baseline taken first")


class KeepForm(FlaskForm):
    """Keeping a quick question ("if FIN-02 slips 8 working days") as a scenario."""

    ref = HiddenField()
    days = HiddenField()
    name = StringField("Name of the scenario")

    def edit(self) -> Edit:
        return domain.Slip(_ref(self.ref.data), parse_days(self.days.data) or 0)


def parse_days(text: object) -> int | None:
    """A whole number of working days from a query string or hidden field, or None."""
    cleaned = str(text or "").strip().replace("−", "-")
    return int(cleaned) if _WHOLE.fullmatch(cleaned) else None


# --- one form per kind of edit ------------------------------------------------------------


class EditForm(VersionedForm):
    """A kind of edit: `KIND` is its JSON name (and the form's prefix), `TITLE` what the
    page calls it."""

    KIND = ""
    TITLE = ""

    def edit(self) -> Edit:
        raise NotImplementedError


class SlipForm(EditForm):
    KIND = domain.Slip.EDIT
    TITLE = "Slip a milestone"
    ref = StringField("Milestone reference")
    days = DaysField("Slips by (working days)")

    def edit(self) -> Edit:
        return domain.Slip(_ref(self.ref.data), self.days.data)


class ForecastForm(EditForm):
    KIND = domain.SetForecast.EDIT
    TITLE = "Set a forecast"
    ref = StringField("Milestone reference")
    forecast = OptionalDateField("Forecast date")
    clear = BooleanField("Take the lead's forecast away instead")

    def validate_forecast(self, field: OptionalDateField) -> None:
        if field.data is None and not self.clear.data:
            raise StopValidation("Enter the forecast date, or tick the box to take it away")

    def edit(self) -> Edit:
        return domain.SetForecast(
            _ref(self.ref.data), None if self.clear.data else self.forecast.data
        )


class DurationForm(EditForm):
    KIND = domain.SetDuration.EDIT
    TITLE = "Change an activity's duration"
    ref = StringField("Activity reference")
    days = DaysField("Takes (working days)")

    def edit(self) -> Edit:
        return domain.SetDuration(_ref(self.ref.data), self.days.data)


def _type_field(label: str, any_type: bool = False) -> SelectField:
    choices = [SelectChoice("", "Any link between them")] if any_type else []
    choices += [SelectChoice(code, words) for code, words in LINK_TYPES]
    return SelectField(label, choices=choices, validate_choice=False)


class LagForm(EditForm):
    KIND = domain.SetLag.EDIT
    TITLE = "Change a link's lag"
    predecessor = StringField("From (the milestone it waits for)")
    successor = StringField("To (the milestone that waits)")
    lag = DaysField("New lag (working days; negative for a lead)", what="lag")
    type = _type_field("Which link", any_type=True)

    def edit(self) -> Edit:
        return domain.SetLag(
            _ref(self.predecessor.data),
            _ref(self.successor.data),
            self.lag.data,
            self.type.data or None,
        )


class AddLinkForm(EditForm):
    KIND = domain.AddLink.EDIT
    TITLE = "Add a link"
    predecessor = StringField("From (the milestone it waits for)")
    successor = StringField("To (the milestone that waits)")
    type = _type_field("Type of link")
    lag = DaysField("Lag (working days; negative for a lead)", what="lag", default="0")

    def edit(self) -> Edit:
        return domain.AddLink(
            _ref(self.predecessor.data),
            _ref(self.successor.data),
            self.type.data or "FS",
            self.lag.data if isinstance(self.lag.data, int) else 0,
        )


class RemoveLinkForm(EditForm):
    KIND = domain.RemoveLink.EDIT
    TITLE = "Take a link away"
    predecessor = StringField("From (the milestone it waits for)")
    successor = StringField("To (the milestone that waits)")
    type = _type_field("Which link", any_type=True)

    def edit(self) -> Edit:
        return domain.RemoveLink(
            _ref(self.predecessor.data), _ref(self.successor.data), self.type.data or None
        )


class GoLiveForm(EditForm):
    KIND = domain.SetGoLiveTarget.EDIT
    TITLE = "Move the go-live target"
    target = OptionalDateField("New go-live target", what="go-live target")

    def validate_target(self, field: OptionalDateField) -> None:
        if field.data is None:
            raise StopValidation("Enter the new go-live target")

    def edit(self) -> Edit:
        return domain.SetGoLiveTarget(self.target.data)  # type: ignore[arg-type]


EDIT_FORMS: dict[str, type[EditForm]] = {
    f.KIND: f
    for f in (
        SlipForm,
        ForecastForm,
        DurationForm,
        LagForm,
        AddLinkForm,
        RemoveLinkForm,
        GoLiveForm,
    )
}


def edit_form(kind: str, **kwargs: Any) -> EditForm:
    """The form for this kind of edit."""
    return EDIT_FORMS[kind](**kwargs)


def position_of(value: object) -> int | None:
    return parse_id(value)
