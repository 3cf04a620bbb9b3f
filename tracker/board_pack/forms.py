"""The form that issues a board pack. It only reads what was typed; whether the board date
will do, and the words for why not, are the domain's (domain/board_pack.issuing_problems)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

from tracker.form_fields import OptionalDateField


class IssueForm(FlaskForm):
    board_date = OptionalDateField("Date of the board meeting", what="board date")
    title = StringField("Title")
