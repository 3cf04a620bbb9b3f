"""The digest page's forms: GET forms (no CSRF token), so a preview has a URL to share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from tracker.domain.digest import iso_week_label, parse_iso_week
from tracker.formatting import long_date
from tracker.services.digest_content import Recipient

# Far enough for any programme; further out the working-day calendar has no sense to make.
WEEKS_EITHER_SIDE = timedelta(days=3653)


def recipient_label(person: Recipient) -> str:
    """'Becca Bradd (lead: PEO, MED, ENG)', 'Paul Bentley (board)'."""
    led = f": {', '.join(person.my_workstreams)}" if person.my_workstreams else ""
    return f"{person.name} ({person.role}{led})"


class PreviewForm(FlaskForm):
    """Whose digest, for which week."""

    class Meta:
        csrf = False

    person = SelectField(
        "Person", validate_choice=False, validators=[InputRequired("Choose whose digest to see")]
    )
    week = StringField(
        "Week", validators=[InputRequired("Enter the week, like 2022-W14")], default=""
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.people: dict[str, Recipient] = {}
        self.monday: date | None = None

    def set_people(self, people: Sequence[Recipient]) -> None:
        self.people = {str(p.user_id): p for p in people}
        self.person.choices = [SelectChoice("", "Choose a person")] + [
            SelectChoice(key, recipient_label(p)) for key, p in self.people.items()
        ]

    @property
    def recipient(self) -> Recipient:
        """The chosen person, once the form has validated."""
        return self.people[self.person.data]

    def validate_person(self, field: Any) -> None:
        if field.data not in self.people:
            raise ValidationError("Choose someone from the list of people who get the digest")

    def validate_week(self, field: Any) -> None:
        try:
            monday = parse_iso_week(field.data)
        except ValueError as exc:
            raise ValidationError(
                f"Enter the week as a year and week number, like 2022-W14, not '{field.data}'"
            ) from exc
        if abs(monday - self.today) > WEEKS_EITHER_SIDE:
            raise ValidationError(
                f"Enter a week within ten years of today ({iso_week_label(self.today)})"
            )
        self.monday = monday


class DeliveriesForm(FlaskForm):
    """Which week's deliveries the ledger shows."""

    class Meta:
        csrf = False

    deliveries_week = SelectField("Week", validate_choice=False, default="")

    def set_weeks(self, weeks: Sequence[date]) -> None:
        self.deliveries_week.choices = [
            SelectChoice(iso_week_label(w), f"{iso_week_label(w)} (w/c {long_date(w)})")
            for w in weeks
        ]

    def chosen(self, weeks: Sequence[date]) -> date | None:
        """The week asked for, else the latest with deliveries; a week with none is an error."""
        asked = (self.deliveries_week.data or "").strip().upper()
        if not asked:
            return weeks[0] if weeks else None
        by_label = {iso_week_label(w): w for w in weeks}
        if asked in by_label:
            return by_label[asked]
        self.deliveries_week.errors = [
            f"No digest was delivered in week '{asked}': choose a week from the list"
        ]
        return weeks[0] if weeks else None
