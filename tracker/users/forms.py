"""Forms for the users pages: what an admin sets on an account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from tracker.domain.terms import Role
from tracker.form_fields import VersionedForm

if TYPE_CHECKING:
    from tracker.models import Workstream

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, "Admin (programme office): changes everything, including users"),
    SelectChoice(Role.LEAD.value, "Lead: changes progress in the workstreams they lead"),
    SelectChoice(Role.BOARD.value, "Board: reads everything, changes nothing"),
]


# Fields are made by functions so each form lists them, and its error summary, in page order.
def _role() -> RadioField:
    # Any value reaches the service, whose message names the roles there are.
    return RadioField(
        "Role",
        choices=ROLE_CHOICES,
        validate_choice=False,
        validators=[InputRequired("Choose a role")],
    )


def _workstreams() -> SelectMultipleField:
    return SelectMultipleField("Workstreams they lead", coerce=int)


class _AccountFields(FlaskForm):
    def set_workstream_choices(self, workstreams: Iterable[Workstream]) -> None:
        """One checkbox per workstream of every programme, "CODE: name"; with several
        programmes the programme's name follows, since codes repeat."""
        workstreams = list(workstreams)
        several = len({ws.programme_id for ws in workstreams}) > 1
        self.workstreams.choices = [
            SelectChoice(
                ws.id,
                f"{ws.code}: {ws.name}" + (f" ({ws.programme.name})" if several else ""),
            )
            for ws in workstreams
        ]


class AccountForm(VersionedForm, _AccountFields):
    """An account's role and workstreams, with the version it was opened at: a save over
    another admin's change is refused (services/user_admin.py change_account)."""

    role = _role()
    workstreams = _workstreams()


class NewUserForm(_AccountFields):
    email = EmailField(
        "Email address", validators=[InputRequired("Enter their email address"), Length(max=254)]
    )
    name = StringField("Full name", validators=[Length(max=120)])
    role = _role()
    workstreams = _workstreams()
