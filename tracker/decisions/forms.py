"""The decision log's forms; the rules in services/decisions.py give the messages about what
was typed."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.domain.raid import parse_refs
from tracker.form_fields import InDateWindow, MaxLength, OpenedForm, OptionalDateField
from tracker.risks.forms import (
    REF_LIMIT,
    REFS_LIMIT,
    SEARCH_LIMIT,
    QueryForm,
    filter_choice,
    person_choices,
    to_id,
)
from tracker.services.decisions import DecisionPlan


class DecisionForm(OpenedForm):
    decided_on = OptionalDateField("Date decided")
    forum = StringField("Forum")
    decision = TextAreaField("Decision")
    owner = SelectField("Owner", invalid_choice_message="Choose the person who owns the decision")
    milestones = StringField(
        "Milestones it concerns", validators=[MaxLength(REFS_LIMIT, "list of milestones")]
    )

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


class DecisionFilterForm(QueryForm):
    q = StringField("Search", validators=[Optional(), MaxLength(SEARCH_LIMIT)])
    forum = filter_choice("Forum", "a forum", default="")
    decided_from = OptionalDateField(
        "Decided on or after", what="earliest decision date", validators=[InDateWindow()]
    )
    decided_to = OptionalDateField(
        "Decided on or before", what="latest decision date", validators=[InDateWindow()]
    )
    milestone = StringField(
        "Concerns milestone", validators=[Optional(), MaxLength(REF_LIMIT, "milestone")]
    )

    def set_choices(self, forums: list[str]) -> None:
        self.forum.choices = [SelectChoice("", "Any forum")] + [SelectChoice(f, f) for f in forums]
