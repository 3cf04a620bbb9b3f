"""The form for making a personal API token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from tracker.services.api_tokens import MAX_NAME_LENGTH


class NewTokenForm(FlaskForm):
    name = StringField(
        "What is it for?",
        validators=[
            InputRequired("Enter a name for the token, like 'Power BI refresh'"),
            Length(max=MAX_NAME_LENGTH),
        ],
    )
