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
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation

from tracker.domain.raid import parse_refs
from tracker.domain.risks import CONSEQUENCE_LEVELS, LIKELIHOOD_LEVELS
from tracker.form_fields import (
    MaxLength,
    OptionalDateField,
    VersionedForm,
    choose_from_list,
    parse_id,
)
from tracker.services.risks import RiskPlan

# What a form reads of a search, a list of references and one reference: more names nothing.
SEARCH_LIMIT = 200
REFS_LIMIT = 1000
REF_LIMIT = 20


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
    review_on = OptionalDateField("Next review", what="next review date")
    # The references are checked by the service; this only keeps a pasted essay out.
    milestones = StringField(
        "Milestones it threatens", validators=[MaxLength(REFS_LIMIT, "list of milestones")]
    )
    # Schedule risk analysis (docs/risk-analysis.md): the delay if it happens.
    impact_days = IntegerField(
        "Delay to those milestones if it happens, in working days",
        validators=[Optional()],
        invalid_value_message=(
            "The delay must be a whole number of working days, like 5, or empty"
        ),
    )

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
        self.impact_days.data = risk.impact_days

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
            impact_days=self.impact_days.data if not self.impact_days.errors else None,
        )


class ReviewForm(VersionedForm):
    consequence = ScoreField("Consequence if it happens", CONSEQUENCE_LEVELS, "consequence")
    likelihood = ScoreField("Likelihood", LIKELIHOOD_LEVELS, "likelihood")
    note = TextAreaField("What the review found")
    review_on = OptionalDateField("Next review", what="next review date")


class CloseForm(VersionedForm):
    closed_note = TextAreaField("Why is the risk closed?")


class ActionForm(FlaskForm):
    description = TextAreaField("Action")
    owner = SelectField("Who will do it", invalid_choice_message="Choose who will do it")
    due_on = OptionalDateField("Due", what="due date")

    def set_choices(self, people: list[Any]) -> None:
        self.owner.choices = person_choices(people, "Choose a person")


class QueryForm(FlaskForm):
    """A GET form: no CSRF token, so a filtered view has a URL to share and bookmark."""

    class Meta:
        csrf = False


def filter_choice(label: str, what: str, **kwargs: Any) -> SelectField:
    """A filter's list, naming itself when what was asked for is not on it."""
    return SelectField(label, invalid_choice_message=choose_from_list(what), **kwargs)


class ScoreFilter(IntegerField):
    """A heatmap cell's score, 1 to 5, named once whether it is not a number or out of range."""

    def __init__(self, label: str, what: str, **kwargs: Any) -> None:
        message = f"Choose the {what} as a whole number from 1 to 5"
        kwargs.setdefault("validators", [Optional(), NumberRange(1, 5, message)])
        super().__init__(label, invalid_value_message=message, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()  # already said why


class RiskFilterForm(QueryForm):
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
    band = filter_choice("Band", "a band", default="")
    owner = filter_choice("Owner", "an owner", default="")
    milestone = StringField(
        "Threatens milestone", validators=[Optional(), MaxLength(REF_LIMIT, "milestone")]
    )
    overdue = BooleanField("Review overdue only")
    # Set by a click on the heatmap.
    consequence = ScoreFilter("Consequence", "consequence")
    likelihood = ScoreFilter("Likelihood", "likelihood")

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
