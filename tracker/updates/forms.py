"""The lead's forms. Each milestone form carries the version it was opened at (see
services/editing.py), so a save over someone else's change is refused, not merged."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

TEXT_LIMIT = 4000


class VersionedForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    opened_at = HiddenField()


class CompleteForm(VersionedForm):
    completed_on = DateField(
        "Date completed", validators=[InputRequired("Enter the date it was completed")]
    )
    evidence_text = TextAreaField("Evidence", validators=[Length(max=TEXT_LIMIT)])
    evidence_url = URLField("Link to the evidence", validators=[Optional(), Length(max=500)])


class ForecastForm(VersionedForm):
    forecast_date = DateField(
        "Forecast date", validators=[InputRequired("Enter the date you now expect it done")]
    )
    forecast_reason = TextAreaField("Why has the date moved?", validators=[Length(max=TEXT_LIMIT)])


class BlockForm(VersionedForm):
    blocked_reason = TextAreaField("What is blocking it?", validators=[Length(max=TEXT_LIMIT)])


class ReopenForm(VersionedForm):
    reason = TextAreaField("Why is it being reopened?", validators=[Length(max=TEXT_LIMIT)])


class HighlightForm(FlaskForm):
    rag = RadioField(
        "RAG for the week",
        choices=[
            SelectChoice("green", "Green: on track"),
            SelectChoice("amber", "Amber: at risk, recoverable within the workstream"),
            SelectChoice("red", "Red: off track, needs the board's help"),
        ],
        validate_choice=False,  # the service names a missing or unknown RAG itself
    )
    achievements = TextAreaField("Achievements this week", validators=[Length(max=TEXT_LIMIT)])
    next_steps = TextAreaField("Next steps", validators=[Length(max=TEXT_LIMIT)])
    issues = TextAreaField("Issues and risks", validators=[Length(max=TEXT_LIMIT)])
