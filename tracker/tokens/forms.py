"""The form for making a personal API token. It only reads the name: whether it will do is
the service's to say (services/api_tokens.py check_name)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


class NewTokenForm(FlaskForm):
    name = StringField("What is it for?")
