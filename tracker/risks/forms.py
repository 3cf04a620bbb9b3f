"""The risk register's forms. Scores are NHS.UK radios showing each level's descriptor; the
rules (tracker.domain.validation, services/risks.py) give the messages about what was typed."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.domain.raid import parse_refs
from tracker.domain.risks import CONSEQUENCE_LEVELS, LIKELIHOOD_LEVELS
from tracker.form_fields import OptionalDateField, VersionedForm, parse_id
from tracker.services.risks import RiskPlan


class ScoreField(RadioField):
    """1 to 5 on the NHS matrix; anything else (a tampered form) is refused by name."""

    def __init__(self, label: str, levels: dict[int, tuple[str, str]], what: str, **kwargs: Any):
        message = f"Choose the {what} from 1 to 5"
        kwargs.setdefault("validators", [InputRequired(message)])
        super().__init__(
            label,
            choices=[SelectChoice(n, f"{n} {name}") for n, (name, _) in levels.items()],
            coerce=int,
            invalid_value_message=message,
            invalid_choice_message=message,
            **kwargs,
        )
        self.levels = levels
        self.type = "RadioField"  # the error summary links to the first radio


def person_choices(people: list[Any], empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [
        SelectChoice(str(p.id), f"{p.name}, {p.job_title}" if p.job_title else p.name)
        for p in people
    ]


def to_id(value: str | None) -> int | None:
    return parse_id(value)


class RiskForm(VersionedForm):
    title = StringField("Title")
    description = TextAreaField("Description")
    owner = SelectField("Owner", invalid_choice_message="Choose the person who owns the risk")
    workstream = SelectField(
        "Workstream", invalid_choice_message="Choose one of this programme's workstreams"
    )
    consequence = ScoreField("Consequence if it happens", CONSEQUENCE_LEVELS, "consequence")
    likelihood = ScoreField("Likelihood", LIKELIHOOD_LEVELS, "likelihood")
    target_consequence = ScoreField("Target consequence", CONSEQUENCE_LEVELS, "target consequence")
    target_likelihood = ScoreField("Target likelihood", LIKELIHOOD_LEVELS, "target likelihood")
    mitigation = TextAreaField("Mitigation in place")
    raised_on = OptionalDateField("Date raised")
    review_on = OptionalDateField("Next review")
    milestones = StringField("Milestones it threatens", validators=[Optional(), Length(max=1000)])

    def set_choices(self, workstreams: list[Any], people: list[Any]) -> None:
        self.owner.choices = person_choices(people, "Choose an owner")
        self.workstream.choices = [SelectChoice("", "None: a programme-wide risk")] + [
            SelectChoice(str(ws.id), f"{ws.code}: {ws.name}") for ws in workstreams
        ]

    def fill(self, risk: Any) -> None:
        self.title.data = risk.title
        self.description.data = risk.description
        self.owner.data = str(risk.owner_id)
        self.workstream.data = str(risk.workstream_id) if risk.workstream_id else ""
        self.consequence.data = risk.consequence
        self.likelihood.data = risk.likelihood
        self.target_consequence.data = risk.target_consequence
        self.target_likelihood.data = risk.target_likelihood
        self.mitigation.data = risk.mitigation
        self.raised_on.data = risk.raised_on
        self.review_on.data = risk.review_on
        self.milestones.data = ", ".join(m.ref for m in risk.milestones)

    def plan(self) -> RiskPlan:
        def score(field: ScoreField) -> int | None:
            return field.data if isinstance(field.data, int) and not field.errors else None

        return RiskPlan(
            title=self.title.data or "",
            description=self.description.data or "",
            owner_id=to_id(self.owner.data),
            workstream_id=to_id(self.workstream.data),
            consequence=score(self.consequence),
            likelihood=score(self.likelihood),
            target_consequence=score(self.target_consequence),
            target_likelihood=score(self.target_likelihood),
            mitigation=self.mitigation.data or "",
            raised_on=self.raised_on.data,
            review_on=self.review_on.data,
            milestone_refs=parse_refs(self.milestones.data),
        )


class ReviewForm(VersionedForm):
    consequence = ScoreField("Consequence if it happens", CONSEQUENCE_LEVELS, "consequence")
    likelihood = ScoreField("Likelihood", LIKELIHOOD_LEVELS, "likelihood")
    note = TextAreaField("What the review found")
    review_on = OptionalDateField("Next review")


class CloseForm(VersionedForm):
    closed_note = TextAreaField("Why is the risk closed?")


class ActionForm(FlaskForm):
    description = TextAreaField("Action")
    owner = SelectField("Who will do it", invalid_choice_message="Choose who will do it")
    due_on = OptionalDateField("Due")

    def set_choices(self, people: list[Any]) -> None:
        self.owner.choices = person_choices(people, "Choose a person")


class QueryForm(FlaskForm):
    """A GET form: no CSRF token, so a filtered view has a URL to share and bookmark."""

    class Meta:
        csrf = False


class RiskFilterForm(QueryForm):
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
    band = SelectField("Band", default="")
    owner = SelectField("Owner", default="")
    milestone = StringField("Threatens milestone", validators=[Optional(), Length(max=20)])
    overdue = BooleanField("Review overdue only")
    # Set by a click on the heatmap.
    consequence = IntegerField(
        "Consequence", validators=[Optional(), NumberRange(1, 5, "Must be from 1 to 5")]
    )
    likelihood = IntegerField(
        "Likelihood", validators=[Optional(), NumberRange(1, 5, "Must be from 1 to 5")]
    )

    def set_choices(
        self, workstreams: list[Any], bands: Any, owners: list[tuple[int, str]]
    ) -> None:
        self.workstream.choices = [
            SelectChoice("", "All workstreams"),
            SelectChoice("none", "Programme-wide (no workstream)"),
        ] + [SelectChoice(ws.code, f"{ws.code}: {ws.name}") for ws in workstreams]
        self.band.choices = [SelectChoice("", "Any band")] + [
            SelectChoice(b.name, b.name.capitalize()) for b in bands
        ]
        self.owner.choices = [SelectChoice("", "Anyone")] + [
            SelectChoice(str(person_id), name) for person_id, name in owners
        ]
