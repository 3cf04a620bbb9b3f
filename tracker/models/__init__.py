"""SQLAlchemy models. Import them from here: `from tracker.models import Milestone`."""

from tracker.models.access import ApiToken, CalendarFeed
from tracker.models.audit import AuditEvent
from tracker.models.base import Base
from tracker.models.digest import DigestDelivery, DigestRun, DigestSnapshot
from tracker.models.people import Person, User
from tracker.models.plan import (
    Baseline,
    BaselineItem,
    Dependency,
    Milestone,
    Workstream,
    WorkstreamLead,
)
from tracker.models.programme import CalendarClosure, GoLiveTarget, Programme
from tracker.models.raid import Risk
from tracker.models.reporting import StatusUpdate

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Baseline",
    "BaselineItem",
    "CalendarFeed",
    "CalendarClosure",
    "Dependency",
    "DigestDelivery",
    "DigestRun",
    "DigestSnapshot",
    "GoLiveTarget",
    "Milestone",
    "Person",
    "Programme",
    "Risk",
    "StatusUpdate",
    "User",
    "Workstream",
    "WorkstreamLead",
]
