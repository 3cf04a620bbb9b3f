"""The scenarios' forms. They only read what was typed into an edit (tracker/domain/scenarios.py
dataclasses); whether the edit can be made, and the words for why not, are the domain's.

Each kind of edit has its own small form, its fields named as the edit's fields (`ref`,
`days`, `lag` ...) so that the domain's message lands beside the field it names. The
scenario's page shows one at a time (the kind chosen from a list of links).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

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

    def __init__(
        self,
        label: str,
        what: str = "number of working days",
        blank: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        self.what = what
        self.blank = blank  # what an empty field means, when it may be left empty

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip().replace("−", "-")
        if not text and self.blank is not None:
            self.data = self.blank
            return
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
    HINTS: ClassVar[dict[str, str]] = {}  # a field's hint on this form, where it differs

    def edit(self) -> Edit:
        raise NotImplementedError

    def offer(self, workstreams: list[tuple[str, str]]) -> None:
        """The programme's workstreams (code, name), for a form that asks for one."""


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


class DatesForm(EditForm):
    KIND = domain.SetDates.EDIT
    TITLE = "Change a milestone's planned dates"
    HINTS: ClassVar[dict[str, str]] = {
        "planned_start": "Left empty, an activity's planned start stays as it is. "
        "A point in time has none."
    }
    ref = StringField("Milestone reference")
    planned_start = OptionalDateField("New planned start (optional)", what="planned start")
    due = OptionalDateField("New due date", what="due date")

    def validate_ref(self, field: StringField) -> None:
        if not _ref(field.data):
            raise StopValidation(
                "Enter the milestone's reference: its workstream's code, a dash and a number"
            )

    def validate_due(self, field: OptionalDateField) -> None:
        if field.data is None:
            raise StopValidation("Enter the new due date")

    def edit(self) -> Edit:
        return domain.SetDates(
            _ref(self.ref.data),
            self.planned_start.data,
            self.due.data,  # type: ignore[arg-type]  # None only on a rehearsal, said by `due`
        )


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


MILESTONE_KINDS = (
    ("activity", "An activity: work with a planned start and a due date"),
    ("point", "A point in time, like a decision or a contract signed"),
)


def _new_link(ref: str | None, type: str | None, lag: object) -> tuple[domain.NewLink, ...]:
    """One link to or from a new milestone, or none when no milestone is named."""
    other = _ref(ref)
    if not other:
        return ()
    return (domain.NewLink(other, type or "FS", lag if isinstance(lag, int) else 0),)


class AddMilestoneForm(EditForm):
    """A new milestone, with at most one link into it and one out of it (more can be added
    with "Add a link" afterwards). The link fields are named `predecessors` and `successors`
    as the edit's are, so that the domain's message about a link lands beside them."""

    KIND = domain.AddMilestone.EDIT
    TITLE = "Add a milestone"
    HINTS: ClassVar[dict[str, str]] = {
        "ref": "Its own reference: its workstream's code, a dash and a number."
    }
    ref = StringField("Reference of the new milestone")
    title = StringField("Title")
    workstream = SelectField("Workstream", choices=[], validate_choice=False)
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(code, words) for code, words in MILESTONE_KINDS],
        validate_choice=False,
    )
    planned_start = OptionalDateField("Planned start (an activity only)", what="planned start")
    due = OptionalDateField("Due", what="due date")
    predecessors = StringField("Waits for (optional)")
    predecessor_type = _type_field("Type of the link from it")
    predecessor_lag = DaysField("Lag after it (working days)", what="lag", blank=0, default="0")
    successors = StringField("Is waited for by (optional)")
    successor_type = _type_field("Type of the link to it")
    successor_lag = DaysField("Lag before it (working days)", what="lag", blank=0, default="0")

    def offer(self, workstreams: list[tuple[str, str]]) -> None:
        self.workstream.choices = [SelectChoice("", "Choose a workstream")] + [
            SelectChoice(code, f"{code}: {name}") for code, name in workstreams
        ]

    def validate_ref(self, field: StringField) -> None:
        if not _ref(field.data):
            raise StopValidation("Enter the new milestone's reference, like FIN-20")

    def validate_title(self, field: StringField) -> None:
        if not (field.data or "").strip():
            raise StopValidation("Enter the new milestone's title")

    def validate_workstream(self, field: SelectField) -> None:
        if not field.data:
            raise StopValidation("Choose the workstream the new milestone belongs to")

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in dict(MILESTONE_KINDS):
            raise StopValidation("Choose whether it is an activity or a point in time")

    def validate_planned_start(self, field: OptionalDateField) -> None:
        if field.data is None and not field.errors and self.kind.data == "activity":
            raise StopValidation("Enter the planned start: an activity has one")

    def validate_due(self, field: OptionalDateField) -> None:
        if field.data is None and not field.errors:
            raise StopValidation("Enter the due date")

    def edit(self) -> Edit:
        kind = self.kind.data or "activity"
        return domain.AddMilestone(
            ref=_ref(self.ref.data),
            title=(self.title.data or "").strip(),
            workstream=(self.workstream.data or "").strip().upper(),
            kind=kind,
            planned_start=self.planned_start.data,
            due=self.due.data,  # type: ignore[arg-type]  # None only on a rehearsal
            predecessors=_new_link(
                self.predecessors.data, self.predecessor_type.data, self.predecessor_lag.data
            ),
            successors=_new_link(
                self.successors.data, self.successor_type.data, self.successor_lag.data
            ),
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
        DatesForm,
        LagForm,
        AddLinkForm,
        RemoveLinkForm,
        AddMilestoneForm,
        GoLiveForm,
    )
}


def edit_form(kind: str, **kwargs: Any) -> EditForm:
    """The form for this kind of edit."""
    return EDIT_FORMS[kind](**kwargs)


def position_of(value: object) -> int | None:
    return parse_id(value)
