"""The lead's forms. Each milestone form carries the version it was opened at (see
services/optimistic_locking.py), so a save over someone else's change is refused, not merged.
The fields only read what was typed: services/progress.py and the domain's rules say what is
missing or wrong."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice

from tracker.form_fields import OptionalDateField, VersionedForm
from tracker.services.optimistic_locking import opened_now


class CompleteForm(VersionedForm):
    completed_on = OptionalDateField("Date completed")
    evidence_text = TextAreaField("Evidence")
    evidence_url = URLField("Link to the evidence")


class ForecastForm(VersionedForm):
    """Also carries the plan version its effect was shown for (the confirm step): a plan
    changed since shows the effect again, worked out afresh, before anything is saved."""

    forecast_date = OptionalDateField("Forecast date")
    forecast_reason = TextAreaField("Why has the date moved?")
    plan_version = HiddenField()


class BlockForm(VersionedForm):
    blocked_reason = TextAreaField("What is blocking it?")


class ReopenForm(VersionedForm):
    reason = TextAreaField("Why is it being reopened?")


class HighlightForm(VersionedForm):
    """Carries the version of the week's highlight it was opened at: none when there was no
    highlight yet, so a first one written meanwhile by someone else is not overwritten."""

    rag = RadioField(
        "RAG for the week",
        choices=[
            SelectChoice("green", "Green: on track"),
            SelectChoice("amber", "Amber: at risk, recoverable within the workstream"),
            SelectChoice("red", "Red: off track, needs the board's help"),
        ],
        validate_choice=False,  # the service names a missing or unknown RAG itself
    )
    achievements = TextAreaField("Achievements this week")
    next_steps = TextAreaField("Next steps")
    issues = TextAreaField("Issues and risks")

    def open_before_first(self) -> None:
        """Opened when the week has no highlight yet: no version, only the moment."""
        self.version.data = ""
        self.opened_at.data = opened_now()
