"""Filters for the milestone list and the Gantt chart: query arguments, so a view has a URL."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.domain.figures import SORTS
from tracker.domain.terms import MilestoneStatus
from tracker.form_fields import InDateWindow, OptionalDateField, choose_from_list

RAG_CHOICES = [
    SelectChoice("", "Any RAG"),
    SelectChoice("red", "Red"),
    SelectChoice("amber", "Amber"),
    SelectChoice("green", "Green"),
    SelectChoice("blue", "Blue (complete)"),
]
SORT_LABELS = {
    "due": "Due date",
    "forecast": "Forecast date",
    "float": "Float (least first)",
    "slip": "Slip (most first)",
    "rag": "RAG (worst first)",
    "ref": "Reference",
    "workstream": "Workstream",
    "status": "Status",
}
assert set(SORT_LABELS) == set(SORTS)


class QueryForm(FlaskForm):
    """A GET form: no CSRF token, so its URL can be shared and bookmarked."""

    class Meta:
        csrf = False


def _choice(label: str, what: str, **kwargs: Any) -> SelectField:
    """A filter's list, naming itself when what was asked for is not on it."""
    return SelectField(label, invalid_choice_message=choose_from_list(what), **kwargs)


def _person_choices(people: list[Any], everyone: str) -> list[SelectChoice]:
    return [SelectChoice("", everyone), *(SelectChoice(str(p.id), p.name) for p in people)]


class GanttFilterForm(QueryForm):
    workstream = _choice("Workstream", "a workstream", default="")
    lead = _choice("Lead director", "a lead director", default="")
    critical = BooleanField("Critical path only (float 0 or less, or driving go-live)")
    late = BooleanField("Late only (overdue or forecast after due)")
    # The Gantt's ghost bars: "" the current baseline, "none" no baseline, else an id.
    baseline = _choice("Baseline shown", "a baseline", default="")

    def set_choices(
        self,
        workstreams: list[Any],
        leads: list[Any],
        owners: list[Any] | None = None,
        baselines: list[Any] | None = None,
    ) -> None:
        """``baselines`` (id, label, current) for the Gantt; without them (the milestone list)
        the form has no baseline field at all."""
        self.workstream.choices = [SelectChoice("", "All workstreams")] + [
            SelectChoice(ws.code, f"{ws.code}: {ws.name}") for ws in workstreams
        ]
        self.lead.choices = _person_choices(leads, "Any lead")
        if owners is not None and hasattr(self, "owner"):
            self.owner.choices = _person_choices(owners, "Anyone")
        if baselines is None:
            del self.baseline
            return
        current = next((b for b in baselines if b.current), None)
        self.baseline.choices = [
            SelectChoice("", f"Current baseline: {current.label}" if current else "No baseline"),
            *(SelectChoice(str(b.id), b.label) for b in baselines if not b.current),
            *([SelectChoice("none", "No baseline")] if current else []),
        ]


class MilestoneFilterForm(GanttFilterForm):
    owner = _choice("Owner", "an owner", default="")
    status = _choice(
        "Status",
        "a status",
        default="",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(s.value, s.label) for s in MilestoneStatus],
    )
    rag = _choice("RAG", "a RAG", default="", choices=RAG_CHOICES)
    open = BooleanField("Open only (not complete)")
    overdue = BooleanField("Overdue only")
    key = BooleanField("Key (board) milestones only")
    due_from = OptionalDateField(
        "Due on or after", what="earliest due date", validators=[Optional(), InDateWindow()]
    )
    due_to = OptionalDateField(
        "Due on or before", what="latest due date", validators=[Optional(), InDateWindow()]
    )
    sort = _choice(
        "Sort by",
        "an order to sort by",
        default="due",
        choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()],
    )
    descending = BooleanField("Reverse order")
