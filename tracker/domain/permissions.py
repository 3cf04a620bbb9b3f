"""Who may change what. Plain rules over plain data, so views, the API and tests share them.

- board: reads everything, changes nothing;
- lead: changes the progress (status, completion, evidence, forecast, blocked) of milestones
  in the workstreams they lead, and writes those workstreams' weekly highlights;
- admin (the programme office): everything, including the plan itself and user accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.domain.terms import Role


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
