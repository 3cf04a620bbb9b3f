"""Forms of the issue log and the decision log; the rules in services/raid.py give the
messages about what was typed."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from tracker.domain.raid import parse_refs
from tracker.form_fields import OptionalDateField
from tracker.risks.forms import QueryForm, person_choices, to_id
from tracker.services.optimistic_locking import Seen, opened_now
from tracker.services.raid import DecisionPlan, IssuePlan


class OpenedForm(FlaskForm):
    """Carries when the form was opened: a change to the record after that is shown, not
    overwritten (services/raid.py, stale_since). Issues and decisions have no version."""

    opened_at = HiddenField()

    def open(self) -> None:
        self.opened_at.data = opened_now()

    def seen(self) -> Seen:
        return Seen(None, self.opened_at.data, required=False)


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


class DecisionForm(OpenedForm):
    decided_on = OptionalDateField("Date decided")
    forum = StringField("Forum")
    decision = TextAreaField("Decision")
    owner = SelectField("Owner", invalid_choice_message="Choose the person who owns the decision")
    milestones = StringField("Milestones it concerns", validators=[Optional(), Length(max=1000)])

    def set_choices(self, people: list[Any]) -> None:
        self.owner.choices = person_choices(people, "Nobody in particular")

    def fill(self, decision: Any) -> None:
        self.decided_on.data = decision.decided_on
        self.forum.data = decision.forum
        self.decision.data = decision.decision
        self.owner.data = str(decision.owner_id) if decision.owner_id else ""
        self.milestones.data = ", ".join(sorted(m.ref for m in decision.milestones))

    def plan(self) -> DecisionPlan:
        return DecisionPlan(
            decided_on=self.decided_on.data,
            forum=self.forum.data or "",
            decision=self.decision.data or "",
            owner_id=to_id(self.owner.data),
            milestone_refs=parse_refs(self.milestones.data),
        )


class IssueFilterForm(QueryForm):
    q = StringField("Search", validators=[Optional(), Length(max=200)])
    status = SelectField(
        "Status",
        default="open",
        choices=[
            SelectChoice("open", "Open"),
            SelectChoice("closed", "Closed"),
            SelectChoice("all", "Open and closed"),
        ],
    )
    workstream = SelectField("Workstream", default="")

    def set_choices(self, workstreams: list[Any]) -> None:
        self.workstream.choices = [
            SelectChoice("", "All workstreams"),
            SelectChoice("none", "Programme-wide (no workstream)"),
        ] + [SelectChoice(ws.code, f"{ws.code}: {ws.name}") for ws in workstreams]


class DecisionFilterForm(QueryForm):
    q = StringField("Search", validators=[Optional(), Length(max=200)])
    forum = SelectField("Forum", default="")
    decided_from = OptionalDateField("Decided on or after")
    decided_to = OptionalDateField("Decided on or before")
    milestone = StringField("Concerns milestone", validators=[Optional(), Length(max=20)])

    def set_choices(self, forums: list[str]) -> None:
        self.forum.choices = [SelectChoice("", "Any forum")] + [SelectChoice(f, f) for f in forums]
