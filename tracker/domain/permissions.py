"""Who may change what. Plain rules over plain data, so views, the API and tests share them.

- board: reads everything, changes nothing;
- lead: changes the progress (status, completion, evidence, forecast, blocked) of milestones
  in the workstreams they lead, and writes those workstreams' weekly highlights; raises risks
  and issues, and changes those they own or that sit in a workstream they lead;
- admin (the programme office): everything, including the plan itself, the decision log and
  user accounts;
- everyone: their own password, digest settings, API tokens and calendar feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.domain.terms import Role


class NotAllowed(PermissionError):
    """The person's role does not allow the change (pages and the API answer 403)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the rules see them."""

    role: str
    person_id: int | None = None
    led_workstream_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def leads(self, workstream_id: int) -> bool:
        return self.role == Role.LEAD and workstream_id in self.led_workstream_ids


def can_update_progress(viewer: Viewer, workstream_id: int) -> bool:
    """Complete, forecast, block or unblock a milestone in this workstream."""
    return viewer.is_admin or viewer.leads(workstream_id)


def can_write_highlight(viewer: Viewer, workstream_id: int) -> bool:
    return viewer.is_admin or viewer.leads(workstream_id)


def can_edit_plan(viewer: Viewer) -> bool:
    """Create, edit and delete milestones and links, baselines, the go-live target."""
    return viewer.is_admin


def can_reopen(viewer: Viewer) -> bool:
    return viewer.is_admin


def can_manage_users(viewer: Viewer) -> bool:
    return viewer.is_admin


def _owns_or_leads(viewer: Viewer, owner_person_id: int | None, workstream_id: int | None) -> bool:
    if viewer.role != Role.LEAD:
        return False
    owns = viewer.person_id is not None and viewer.person_id == owner_person_id
    return owns or (workstream_id is not None and viewer.leads(workstream_id))


def can_add_risk(viewer: Viewer) -> bool:
    """Raise a risk (a lead's must be one they own or in a workstream they lead)."""
    return viewer.is_admin or viewer.role == Role.LEAD


def can_edit_risk(viewer: Viewer, owner_person_id: int | None, workstream_id: int | None) -> bool:
    """Edit, review, close or reopen a risk, and manage its actions."""
    return viewer.is_admin or _owns_or_leads(viewer, owner_person_id, workstream_id)


def can_add_issue(viewer: Viewer) -> bool:
    return viewer.is_admin or viewer.role == Role.LEAD


def can_edit_issue(viewer: Viewer, owner_person_id: int | None, workstream_id: int | None) -> bool:
    """Edit, close or reopen an issue: the same rule as for risks."""
    return viewer.is_admin or _owns_or_leads(viewer, owner_person_id, workstream_id)


def can_record_decision(viewer: Viewer) -> bool:
    """Add or correct an entry in the decision log: the programme office keeps the record of
    what the forums decided."""
    return viewer.is_admin


def _own(viewer: Viewer, owner_person_id: int | None) -> bool:
    return viewer.person_id is not None and viewer.person_id == owner_person_id


def can_manage_token(viewer: Viewer, owner_person_id: int | None) -> bool:
    """Make or revoke a personal API token: everyone their own; admins anyone's (the CLI's
    `flask users token`, or someone who has left, a token that has leaked)."""
    return viewer.is_admin or _own(viewer, owner_person_id)


def can_change_feed(viewer: Viewer, owner_person_id: int | None) -> bool:
    """Renew or revoke a calendar feed: its owner, or an admin (to stop a leaked address)."""
    return viewer.is_admin or _own(viewer, owner_person_id)
