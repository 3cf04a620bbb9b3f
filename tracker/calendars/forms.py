"""Forms for the calendar feeds page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

from tracker.form_fields import IdField, parse_id

if TYPE_CHECKING:
    from tracker.models import Workstream


def workstream_label(workstream: Workstream, several_programmes: bool) -> str:
    label = f"{workstream.code} {workstream.name}"
    return f"{label} ({workstream.programme.name})" if several_programmes else label


def _workstream_id(value: object) -> int | None:
    """The chosen id, or None (nothing chosen, or not an id: the route says so)."""
    return parse_id(value)


class WorkstreamFeedForm(FlaskForm):
    # Any value reaches the service, which says when it is not a workstream of yours.
    workstream = SelectField("Workstream", coerce=_workstream_id, validate_choice=False)

    def set_workstream_choices(self, workstreams: Iterable[Workstream]) -> None:
        workstreams = list(workstreams)
        several = len({ws.programme_id for ws in workstreams}) > 1
        self.workstream.choices = [("", "Choose a workstream")] + [
            (ws.id, workstream_label(ws, several)) for ws in workstreams
        ]


class FeedActionForm(FlaskForm):
    """Renew or revoke: which feed (a hidden field, so the address has no id in it)."""

    feed = IdField("Feed", validators=[InputRequired()])
