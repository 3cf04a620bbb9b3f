"""The programme office's forms. The plan's own rules (tracker.domain.validation) give most
messages; these fields only read what was typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from tracker.domain.go_live_moves import CHOOSE_SCOPE, Scope
from tracker.domain.terms import DependencyType, MilestoneKind
from tracker.form_fields import OpenedForm, OptionalDateField, VersionedForm, parse_id
from tracker.services.plan import MilestonePlan


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else value


def _id(value: str | None) -> int | None:
    return parse_id(value)


def working_days(label: str, words: str) -> IntegerField:
    """An optional whole number of working days; one it cannot read is named by `words`."""
    return IntegerField(
        label,
        validators=[Optional()],
        invalid_value_message=(
            f"The {words} estimate must be a whole number of working days, like 12, or empty"
        ),
    )


class MilestoneForm(FlaskForm):
    title = StringField("Title")
    description = TextAreaField("Description")
    workstream = SelectField("Workstream", invalid_choice_message="Choose a workstream")
    owner = SelectField("Owner", invalid_choice_message="Choose the person who owns it")
    kind = RadioField(
        "Kind",
        choices=[
            SelectChoice("activity", "Activity: takes time, from a start to a due date"),
            SelectChoice("point", "Point in time: a decision, an approval, go-live"),
        ],
        default=MilestoneKind.ACTIVITY.value,
        invalid_choice_message="Choose activity or point in time",
    )
    planned_start = OptionalDateField("Planned start")
    due_date = OptionalDateField("Due date")
    is_key = BooleanField("Key milestone: reported to the board")
    # Schedule risk analysis (docs/risk-analysis.md): all three or none.
    optimistic_days = working_days("Optimistic", "optimistic")
    likely_days = working_days("Most likely", "most likely")
    pessimistic_days = working_days("Pessimistic", "pessimistic")

    def set_choices(self, workstreams: list[Any], people: list[Any]) -> None:
        self.workstream.choices = [SelectChoice("", "Choose a workstream")] + [
            SelectChoice(str(ws.id), f"{ws.code}: {ws.name}") for ws in workstreams
        ]
        self.owner.choices = [SelectChoice("", "Choose an owner")] + [
            SelectChoice(str(p.id), f"{p.name}, {p.job_title}" if p.job_title else p.name)
            for p in people
        ]

    def fill(self, milestone: Any) -> None:
        """Show a milestone's plan as it is stored."""
        self.title.data = milestone.title
        self.description.data = milestone.description
        self.workstream.data = str(milestone.workstream_id)
        self.owner.data = str(milestone.owner_id)
        self.kind.data = milestone.kind
        self.planned_start.data = milestone.planned_start
        self.due_date.data = milestone.due_date
        self.is_key.data = milestone.is_key
        self.optimistic_days.data = milestone.optimistic_days
        self.likely_days.data = milestone.likely_days
        self.pessimistic_days.data = milestone.pessimistic_days

    def plan(self) -> MilestonePlan:
        return MilestonePlan(
            title=self.title.data or "",
            description=self.description.data or "",
            workstream_id=_id(self.workstream.data),
            owner_id=_id(self.owner.data),
            kind=self.kind.data,
            planned_start=self.planned_start.data,
            due_date=self.due_date.data,
            is_key=bool(self.is_key.data),
            three_point=(
                self.optimistic_days.data,
                self.likely_days.data,
                self.pessimistic_days.data,
            ),
        )


class NewMilestoneForm(MilestoneForm):
    ref = StringField("Reference", filters=[_upper])


class EditMilestoneForm(MilestoneForm, VersionedForm):
    """Carries the version the milestone was opened at (services/optimistic_locking.py), and
    on the confirm step the plan version its effect was shown for (updates/confirming.py)."""

    plan_version = HiddenField()

    def typed(self) -> dict[str, str]:
        """What was typed, as the confirm step sends it back in hidden fields."""
        values = {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "workstream": self.workstream.data or "",
            "owner": self.owner.data or "",
            "kind": self.kind.data or "",
            "planned_start": self.planned_start._value(),
            "due_date": self.due_date._value(),
            "optimistic_days": self.optimistic_days._value(),
            "likely_days": self.likely_days._value(),
            "pessimistic_days": self.pessimistic_days._value(),
            "version": self.version.data or "",
            "opened_at": self.opened_at.data or "",
        }
        if self.is_key.data:
            values["is_key"] = "y"
        return values


DEPENDENCY_TYPES = [
    SelectChoice(DependencyType.FS.value, "Finish to start: this cannot start until that finishes"),
    SelectChoice(DependencyType.SS.value, "Start to start: this cannot start until that starts"),
    SelectChoice(
        DependencyType.FF.value, "Finish to finish: this cannot finish until that finishes"
    ),
    SelectChoice(DependencyType.SF.value, "Start to finish: this cannot finish until that starts"),
]


class DependencyForm(FlaskForm):
    predecessor = SelectField(
        "Milestone it depends on",
        validators=[DataRequired("Choose the milestone it depends on")],
        invalid_choice_message="Choose the milestone it depends on",
    )
    type = RadioField(
        "Type of link",
        choices=DEPENDENCY_TYPES,
        default=DependencyType.FS.value,
        invalid_choice_message="Choose the type of link",
    )
    lag_days = IntegerField(
        "Lag in working days",
        default=0,
        validators=[InputRequired("Enter the lag in working days: 0 for none")],
        invalid_value_message="The lag must be a whole number of working days, like 0, 5 or -2",
    )

    def set_choices(self, milestones: list[Any]) -> None:
        self.predecessor.choices = [SelectChoice("", "Choose a milestone")] + [
            SelectChoice(str(m.id), f"{m.ref} {m.title}") for m in milestones
        ]

    def predecessor_id(self) -> int | None:
        return _id(self.predecessor.data)


class BaselineForm(FlaskForm):
    label = StringField("Label")
    note = TextAreaField("Note")
    make_current = BooleanField("Measure slip against this baseline", default=True)


class GoLiveForm(OpenedForm):
    """Carries when it was opened: a move by someone else since is shown, not overwritten."""

    target_date = OptionalDateField("New go-live date")
    reason = TextAreaField("Reason for the change")
    scope = RadioField(
        "Move open milestones with it?",
        choices=[
            SelectChoice(Scope.NONE.value, "No, only the go-live date"),
            SelectChoice(Scope.ALL.value, "Yes, every open milestone"),
            SelectChoice(Scope.DUE_AFTER.value, "Yes, open milestones due after a date"),
        ],
        default=Scope.NONE.value,
        invalid_choice_message=CHOOSE_SCOPE,
    )
    only_after = OptionalDateField(
        "Move open milestones due after", what="date open milestones move after"
    )

    def moves_milestones(self) -> bool:
        return self.scope.data != Scope.NONE

    def chosen_only_after(self) -> date | None:
        """The date milestones must be due after to move; None when every one moves."""
        return self.only_after.data if self.scope.data == Scope.DUE_AFTER else None


class ConfirmMoveForm(GoLiveForm):
    """The preview's confirm: what the form said, in hidden fields, and the plan version
    the preview showed (a change to the plan since refuses the move)."""

    plan_version = HiddenField()
