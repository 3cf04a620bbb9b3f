"""The issue log's forms; the rules in services/issues.py give the messages about what was
typed."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.form_fields import MaxLength, OpenedForm, OptionalDateField
from tracker.risks.forms import SEARCH_LIMIT, QueryForm, filter_choice, person_choices, to_id
from tracker.services.issues import IssuePlan


class IssueForm(OpenedForm):
    title = StringField("Title")
    description = TextAreaField("What has happened")
    raised_on = OptionalDateField("Date raised")
    owner = SelectField("Owner", invalid_choice_message="Choose the person who owns the issue")
    workstream = SelectField(
        "Workstream", invalid_choice_message="Choose one of this programme's workstreams"
    )
    impact = TextAreaField("Impact")
    action = TextAreaField("Action being taken")
    risk = SelectField(
        "The risk it came from", invalid_choice_message="Choose one of this programme's risks"
    )

    def set_choices(self, workstreams: list[Any], people: list[Any], risks: list[Any]) -> None:
        self.owner.choices = person_choices(people, "Choose an owner")
        self.workstream.choices = [SelectChoice("", "None: programme-wide")] + [
            SelectChoice(str(ws.id), f"{ws.code}: {ws.name}") for ws in workstreams
        ]
        self.risk.choices = [SelectChoice("", "None: it was not a risk on the register")] + [
            SelectChoice(str(r.id), f"{r.ref} {r.title}") for r in risks
        ]

    def fill(self, issue: Any) -> None:
        self.title.data = issue.title
        self.description.data = issue.description
        self.raised_on.data = issue.raised_on
        self.owner.data = str(issue.owner_id)
        self.workstream.data = str(issue.workstream_id) if issue.workstream_id else ""
        self.impact.data = issue.impact
        self.action.data = issue.action
        self.risk.data = str(issue.risk_id) if issue.risk_id else ""

    def plan(self) -> IssuePlan:
        return IssuePlan(
            title=self.title.data or "",
            description=self.description.data or "",
            raised_on=self.raised_on.data,
            owner_id=to_id(self.owner.data),
            workstream_id=to_id(self.workstream.data),
            impact=self.impact.data or "",
            action=self.action.data or "",
            risk_id=to_id(self.risk.data),
        )


class CloseIssueForm(OpenedForm):
    closed_on = OptionalDateField("Date resolved")


class IssueFilterForm(QueryForm):
    q = StringField("Search", validators=[Optional(), MaxLength(SEARCH_LIMIT)])
    status = filter_choice(
        "Status",
        "open, closed or both",
        default="open",
        choices=[
            SelectChoice("open", "Open"),
            SelectChoice("closed", "Closed"),
            SelectChoice("all", "Open and closed"),
        ],
    )
    workstream = filter_choice("Workstream", "a workstream", default="")

    def set_choices(self, workstreams: list[Any]) -> None:
        self.workstream.choices = [
            SelectChoice("", "All workstreams"),
            SelectChoice("none", "Programme-wide (no workstream)"),
        ] + [SelectChoice(ws.code, f"{ws.code}: {ws.name}") for ws in workstreams]
