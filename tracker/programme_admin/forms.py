"""The programme settings forms. They only read what was typed: the rules and their words are
in tracker/domain/programme_settings.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tracker.domain.board_pack import MARKINGS
from tracker.domain.programme_settings import ProgrammeDetails, WorkstreamPlan
from tracker.domain.terms import ROLE_LABELS
from tracker.form_fields import OpenedForm, OptionalDateField, parse_id, region_field

if TYPE_CHECKING:
    from tracker.models import Membership, Programme, Workstream


class DetailsForm(OpenedForm):
    name = StringField("Programme name")
    from_organisation = StringField("From")
    to_organisation = StringField("To")
    start_date = OptionalDateField("Start date")
    calendar_region = region_field()
    # Any value is read: whether it is a marking is the rules' to say (check_details).
    protective_marking = RadioField(
        "Protective marking",
        choices=[SelectChoice(marking, marking) for marking in MARKINGS],
        validate_choice=False,
    )

    def fill(self, programme: Programme) -> None:
        self.name.data = programme.name
        self.from_organisation.data = programme.from_organisation
        self.to_organisation.data = programme.to_organisation
        self.start_date.data = programme.start_date
        self.calendar_region.data = programme.calendar_region
        self.protective_marking.data = programme.protective_marking

    def details(self) -> ProgrammeDetails:
        return ProgrammeDetails(
            name=self.name.data or "",
            from_organisation=self.from_organisation.data or "",
            to_organisation=self.to_organisation.data or "",
            start_date=self.start_date.data,
            calendar_region=self.calendar_region.data or "",
            protective_marking=self.protective_marking.data or None,  # none chosen: as it is
        )


class ClosureForm(FlaskForm):
    """Shares the settings page with the details form: its CSRF token is written by hand in
    the template (one id per page); CSRFProtect checks every POST all the same."""

    class Meta:
        csrf = False

    closed_on = OptionalDateField("Date", what="closure date")
    reason = StringField("Reason")


class LeadsField(SelectMultipleField):
    """The people chosen to lead, as person ids; whether each may lead is the rules' to say."""

    data: list[int]

    def process_formdata(self, valuelist: list[Any]) -> None:
        ids = [parse_id(value) for value in valuelist]
        self.data = [i for i in ids if i is not None]
        if len(self.data) != len(ids):
            raise ValueError("Choose each lead from the list")

    def pre_validate(self, form: Any) -> None:
        """Any person id reaches the rules, which name who is not a member."""


# "Becca Bradd, Director of People (workstream lead)": who is choosing knows who may update.
ROLE_WORDS = {role.value: label.lower() for role, label in ROLE_LABELS.items()}


class WorkstreamForm(OpenedForm):
    code = StringField("Code")
    name = StringField("Name")
    description = TextAreaField("Description")
    leads = LeadsField("Leads", coerce=int)

    def set_choices(self, memberships: Iterable[Membership]) -> None:
        """Each member of the programme, with their job title and role in it."""
        choices = []
        for m in memberships:
            person = m.person
            label = f"{person.name}, {person.job_title}" if person.job_title else person.name
            choices.append(SelectChoice(person.id, f"{label} ({ROLE_WORDS.get(m.role, m.role)})"))
        self.leads.choices = choices

    def fill(self, workstream: Workstream) -> None:
        self.code.data = workstream.code
        self.name.data = workstream.name
        self.description.data = workstream.description
        self.leads.data = [link.person_id for link in workstream.lead_links]

    def plan(self) -> WorkstreamPlan:
        return WorkstreamPlan(
            code=self.code.data or "",
            name=self.name.data or "",
            description=self.description.data or "",
            lead_ids=tuple(self.leads.data or ()),
        )
