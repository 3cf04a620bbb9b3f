"""Who may see and change what. Plain rules over plain data, so views, the API and tests share
them, and every rule names the programme it is about: a role is held in one programme.

A person's membership of a programme gives them one role there:
- viewer and board: read everything in the programme, change nothing;
- lead: changes the progress (status, completion, evidence, forecast, blocked) of milestones
  in the workstreams they lead, and writes those workstreams' weekly highlights; raises risks
  and issues, and changes those they own or that sit in a workstream they lead;
- admin (the programme office): everything in the programme, including the plan itself, the
  decision log, its settings, workstreams and people.
Someone with no membership of a programme does not see it at all (pages answer 404).

An instance administrator creates programmes, appoints their admins and manages accounts;
they act as an admin of every programme.

Everyone: their own password, digest settings, API tokens and calendar feeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from tracker.domain.terms import Role


class NotAllowed(PermissionError):
    """The person's role does not allow the change (pages and the API answer 403)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the rules see them: their role in each programme they belong
    to, and the workstreams they lead (only where they are a lead)."""

    person_id: int | None = None
    memberships: Mapping[int, str] = field(default_factory=dict)  # programme id -> role
    led_workstream_ids: frozenset[int] = field(default_factory=frozenset)
    instance_admin: bool = False
    # The programme the page is about, so templates can ask `viewer().is_admin`; the rules
    # below never rely on it: each takes the programme of the record it is about.
    programme_id: int | None = None

    def role_in(self, programme_id: int | None) -> str | None:
        """Their role in the programme, or None when they are not a member."""
        if programme_id is None:
            return None
        if self.instance_admin:
            return Role.ADMIN.value
        return self.memberships.get(programme_id)

    def sees(self, programme_id: int) -> bool:
        return self.role_in(programme_id) is not None

    def is_admin_of(self, programme_id: int | None) -> bool:
        return self.role_in(programme_id) == Role.ADMIN

    def leads(self, workstream_id: int | None) -> bool:
        return workstream_id is not None and workstream_id in self.led_workstream_ids

    def viewing(self, programme_id: int | None) -> Viewer:
        """The same person, looking at this programme's pages."""
        return replace(self, programme_id=programme_id)

    @property
    def role(self) -> str | None:
        """Their role in the programme in view."""
        return self.role_in(self.programme_id)

    @property
    def is_admin(self) -> bool:
        """An admin of the programme in view."""
        return self.is_admin_of(self.programme_id)


def can_see_programme(viewer: Viewer, programme_id: int) -> bool:
    """Members and instance administrators; anyone else is told there is no such programme."""
    return viewer.sees(programme_id)


def can_create_programme(viewer: Viewer) -> bool:
    return viewer.instance_admin


def can_administer_programme(viewer: Viewer, programme_id: int) -> bool:
    """Its name, organisations, calendar and closures; workstreams; people, their roles and
    invitations; moving go-live with the plan; saving it as a template."""
    return viewer.is_admin_of(programme_id)


def can_update_progress(viewer: Viewer, programme_id: int, workstream_id: int) -> bool:
    """Complete, forecast, block or unblock a milestone in this workstream."""
    return viewer.is_admin_of(programme_id) or viewer.leads(workstream_id)


def can_write_highlight(viewer: Viewer, programme_id: int, workstream_id: int) -> bool:
    return viewer.is_admin_of(programme_id) or viewer.leads(workstream_id)


def can_edit_plan(viewer: Viewer, programme_id: int) -> bool:
    """Create, edit and delete milestones and links, baselines, the go-live target."""
    return viewer.is_admin_of(programme_id)


def can_reopen(viewer: Viewer, programme_id: int) -> bool:
    return viewer.is_admin_of(programme_id)


def can_run_digest(viewer: Viewer, programme_id: int) -> bool:
    """See the programme's digest runs and deliveries, and preview it as someone else."""
    return viewer.is_admin_of(programme_id)


def can_manage_users(viewer: Viewer) -> bool:
    """Accounts across the instance (the /users/ pages and `flask users`)."""
    return viewer.instance_admin


def _is_lead_in(viewer: Viewer, programme_id: int) -> bool:
    return viewer.role_in(programme_id) == Role.LEAD


def _owns_or_leads(
    viewer: Viewer, programme_id: int, owner_person_id: int | None, workstream_id: int | None
) -> bool:
    if not _is_lead_in(viewer, programme_id):
        return False
    return _own(viewer, owner_person_id) or viewer.leads(workstream_id)


def can_add_risk(viewer: Viewer, programme_id: int) -> bool:
    """Raise a risk (a lead's must be one they own or in a workstream they lead)."""
    return viewer.is_admin_of(programme_id) or _is_lead_in(viewer, programme_id)


def can_edit_risk(
    viewer: Viewer, programme_id: int, owner_person_id: int | None, workstream_id: int | None
) -> bool:
    """Edit, review, close or reopen a risk, and manage its actions."""
    return viewer.is_admin_of(programme_id) or _owns_or_leads(
        viewer, programme_id, owner_person_id, workstream_id
    )


def can_add_issue(viewer: Viewer, programme_id: int) -> bool:
    return can_add_risk(viewer, programme_id)


def can_edit_issue(
    viewer: Viewer, programme_id: int, owner_person_id: int | None, workstream_id: int | None
) -> bool:
    """Edit, close or reopen an issue: the same rule as for risks."""
    return can_edit_risk(viewer, programme_id, owner_person_id, workstream_id)


def can_record_decision(viewer: Viewer, programme_id: int) -> bool:
    """Add or correct an entry in the decision log: the programme office keeps the record of
    what the forums decided."""
    return viewer.is_admin_of(programme_id)


def _own(viewer: Viewer, owner_person_id: int | None) -> bool:
    return viewer.person_id is not None and viewer.person_id == owner_person_id


def can_manage_token(viewer: Viewer, owner_person_id: int | None) -> bool:
    """Make or revoke a personal API token: everyone their own; instance administrators
    anyone's (the CLI's `flask users token`, or someone who has left, a token that has
    leaked)."""
    return viewer.instance_admin or _own(viewer, owner_person_id)


def can_change_feed(viewer: Viewer, owner_person_id: int | None) -> bool:
    """Renew or revoke a calendar feed: its owner, or an instance administrator (to stop a
    leaked address)."""
    return viewer.instance_admin or _own(viewer, owner_person_id)


# What-if scenarios (issue 20): hypothetical, so any member may make one; private to the
# person who made it until they share it with the programme. Applying one changes the plan.


def can_make_scenario(viewer: Viewer, programme_id: int) -> bool:
    """Any member of the programme (board members and viewers too: a question is no change)."""
    return viewer.sees(programme_id) and viewer.person_id is not None


def can_see_scenario(viewer: Viewer, programme_id: int, owner_person_id: int, shared: bool) -> bool:
    """Its maker; once shared, every member of the programme."""
    if not viewer.sees(programme_id):
        return False
    return _own(viewer, owner_person_id) or shared


def can_change_scenario(viewer: Viewer, programme_id: int, owner_person_id: int) -> bool:
    """Rename, edit, share, rebase or delete it: its maker only, while still a member."""
    return viewer.sees(programme_id) and _own(viewer, owner_person_id)


def can_apply_scenario(viewer: Viewer, programme_id: int) -> bool:
    """Make a scenario's edits to the plan itself: a change to the plan."""
    return can_edit_plan(viewer, programme_id)


def can_run_risk_analysis(viewer: Viewer, programme_id: int) -> bool:
    """Work out the chance of making go-live (it changes nothing): any member."""
    return viewer.sees(programme_id)
