"""Forms for the users pages: what an instance administrator sets on an account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from tracker.domain.terms import Role
from tracker.form_fields import IdsField, VersionedForm

if TYPE_CHECKING:
    from tracker.models import Programme, Workstream

ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, "Programme admin (the programme office): changes everything"),
    SelectChoice(Role.LEAD.value, "Workstream lead: changes progress in the workstreams they lead"),
    SelectChoice(Role.BOARD.value, "Board member: reads everything, changes nothing"),
    SelectChoice(Role.VIEWER.value, "Viewer: reads everything, changes nothing"),
]
YES_NO = [SelectChoice("no", "No"), SelectChoice("yes", "Yes")]
INSTANCE_ADMIN_LABEL = "Instance administrator (starts programmes, manages every account)"


def _instance_admin() -> RadioField:
    # Anything but yes or no is named, never read as "no" (which would take the role away).
    return RadioField(
        INSTANCE_ADMIN_LABEL,
        choices=YES_NO,
        default="no",
        validate_choice=False,
        validators=[
            AnyOf(
                ("yes", "no"),
                message="Choose whether they are an instance administrator: yes or no",
            )
        ],
    )


class AccountForm(VersionedForm):
    """Whether the account is an instance administrator, with the version it was opened at:
    a save over another administrator's change is refused (services/user_admin.py)."""

    instance_admin = _instance_admin()

    @property
    def wants_instance_admin(self) -> bool:
        return self.instance_admin.data == "yes"


class NewUserForm(FlaskForm):
    """Only reads what was typed: the email, name, role and workstreams are checked by the
    service (services/user_admin.py create_account), every problem at once."""

    email = EmailField("Email address")
    name = StringField("Full name")
    programme = SelectField("Programme", validators=[Optional()], validate_choice=False)
    # Any value reaches the service, whose message names the roles there are.
    role = RadioField("Role in the programme", choices=ROLE_CHOICES, validate_choice=False)
    workstreams = IdsField("Workstreams they lead", coerce=int)
    instance_admin = _instance_admin()

    @property
    def wants_instance_admin(self) -> bool:
        return self.instance_admin.data == "yes"

    def set_choices(
        self, programmes: Iterable[Programme], workstreams: Iterable[Workstream]
    ) -> None:
        """The programmes, and one checkbox per workstream of every programme, "CODE: name";
        with several programmes the programme's name follows, since codes repeat."""
        programmes = list(programmes)
        self.programme.choices = [SelectChoice("", "None (an instance administrator only)")] + [
            SelectChoice(p.slug, p.name) for p in programmes
        ]
        several = len(programmes) > 1
        self.workstreams.choices = [
            SelectChoice(
                ws.id, f"{ws.code}: {ws.name}" + (f" ({ws.programme.name})" if several else "")
            )
            for ws in workstreams
        ]
