"""The people pages' forms: they only read what was typed; services/people.py and
services/invitations.py say what is allowed, in the words shown next to each field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice

from tracker.domain.terms import Role
from tracker.form_fields import IdsField, VersionedForm

if TYPE_CHECKING:
    from tracker.models import Workstream
    from tracker.services.people import Member

REMOVE = "remove"
ROLE_CHOICES = [
    SelectChoice(Role.ADMIN.value, Role.ADMIN.label),
    SelectChoice(Role.LEAD.value, Role.LEAD.label),
    SelectChoice(Role.BOARD.value, Role.BOARD.label),
    SelectChoice(Role.VIEWER.value, Role.VIEWER.label),
]
# Each role's own hint on the radios, by value.
ROLE_HINTS = {
    Role.ADMIN.value: "The programme office: changes everything in this programme, its "
    "people included.",
    Role.LEAD.value: "Changes progress in the workstreams ticked below, and raises risks and "
    "issues.",
    Role.BOARD.value: "A member of the transition board: reads everything, changes nothing.",
    Role.VIEWER.value: "Reads everything and changes nothing.",
    REMOVE: "They no longer see this programme; what they did in it stays in its history.",
}


def _workstream_choices(workstreams: Iterable[Workstream]) -> list[SelectChoice]:
    return [SelectChoice(ws.id, f"{ws.code}: {ws.name}") for ws in workstreams]


class PersonForm(FlaskForm):
    name = StringField("Full name")
    job_title = StringField("Job title")
    email = EmailField("Email address")
    # Any value reaches the service, whose message says to choose one.
    role = RadioField("Role in this programme", choices=ROLE_CHOICES, validate_choice=False)
    workstreams = IdsField("Workstreams they lead", coerce=int)

    def set_choices(self, workstreams: Iterable[Workstream]) -> None:
        self.workstreams.choices = _workstream_choices(workstreams)

    @property
    def led_ids(self) -> tuple[int, ...]:
        return tuple(self.workstreams.data or ())


class NewPersonForm(PersonForm):
    send_invitation = BooleanField("Send an invitation by email", default=True)


class EditPersonForm(VersionedForm, PersonForm):
    """With the membership's version: a save over another admin's change is refused."""

    role = RadioField(
        "Role in this programme",
        choices=[*ROLE_CHOICES, SelectChoice(REMOVE, "Remove from this programme")],
        validate_choice=False,
    )

    def fill(self, member: Member) -> None:
        person = member.person
        self.name.data = person.name
        self.job_title.data = person.job_title
        self.email.data = person.email
        self.role.data = member.membership.role
        self.workstreams.data = [ws.id for ws in member.led]
        self.open(member.membership.version)

    @property
    def chosen_role(self) -> str | None:
        """The role chosen; None to remove them."""
        return None if self.role.data == REMOVE else (self.role.data or "")


class AcceptInvitationForm(FlaskForm):
    password = PasswordField("Choose a password")
    password_again = PasswordField("Type the password again")
