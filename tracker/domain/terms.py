"""The words users use, as the fixed sets of values the data model stores."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person may do in one programme (their membership of it)."""

    ADMIN = "admin"  # the programme office
    LEAD = "lead"  # a workstream lead director or deputy
    BOARD = "board"  # a member of the transition board: reads everything, changes nothing
    VIEWER = "viewer"  # reads everything, changes nothing, and is not sent the board's view

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Programme admin",
    Role.LEAD: "Workstream lead",
    Role.BOARD: "Board member",
    Role.VIEWER: "Viewer",
}


class MilestoneKind(StrEnum):
    ACTIVITY = "activity"  # takes time: planned start -> due date
    POINT = "point"  # a decision, an approval, go-live itself


class MilestoneStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    BLOCKED = "blocked"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DependencyType(StrEnum):
    FS = "FS"  # finish-to-start, the default
    SS = "SS"
    FF = "FF"
    SF = "SF"


class Rag(StrEnum):
    BLUE = "blue"  # complete
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


# The NHS.UK tag colour for each RAG rating and risk-band colour (tracker.domain.risks.Band.rag):
# amber is drawn as NHS.UK's orange tag. The one map templates use (the TAG_COLOUR global).
TAG_COLOUR: dict[str, str] = {
    "red": "red",
    "amber": "orange",
    "yellow": "yellow",
    "green": "green",
    "blue": "blue",
}
