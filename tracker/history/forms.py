"""The history filters: query arguments, so a filtered history has a URL to share."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker.form_fields import InDateWindow, OptionalDateField, choose_from_list
from tracker.history.words import entity_many
from tracker.services.history import HistoryChoices


class HistoryFilterForm(FlaskForm):
    """A GET form: no CSRF token, so its URL can be shared and bookmarked."""

    class Meta:
        csrf = False

    person = SelectField(
        "Changed by", default="", invalid_choice_message=choose_from_list("who made the change")
    )
    workstream = SelectField(
        "Workstream", default="", invalid_choice_message=choose_from_list("a workstream")
    )
    what = SelectField(
        "What", default="", invalid_choice_message=choose_from_list("what was changed")
    )
    from_date = OptionalDateField("From date", validators=[Optional(), InDateWindow()])
    to_date = OptionalDateField("To date", validators=[Optional(), InDateWindow()])

    def set_choices(self, choices: HistoryChoices) -> None:
        self.person.choices = [SelectChoice("", "Anyone")] + [
            SelectChoice(p.key, p.name) for p in choices.people
        ]
        self.workstream.choices = [SelectChoice("", "All workstreams")] + [
            SelectChoice(ws.code, f"{ws.code}: {ws.name}") for ws in choices.workstreams
        ]
        self.what.choices = [SelectChoice("", "Everything")] + sorted(
            (SelectChoice(t, entity_many(t)) for t in choices.entity_types),
            key=lambda c: c.label,
        )

    def validate_to_date(self, field: Any) -> None:
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError("The to date must be the same as or after the from date")
