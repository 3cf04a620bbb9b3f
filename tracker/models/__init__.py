"""SQLAlchemy models. Import them from here: `from tracker.models import Milestone`."""

from tracker.models.access import ApiToken, CalendarFeed, Invitation
from tracker.models.audit import AuditEvent
from tracker.models.base import Base
from tracker.models.board_packs import BoardPackDelivery, IssuedPack
from tracker.models.digest import DigestDelivery, DigestRun, DigestSnapshot
from tracker.models.people import Membership, Person, User
from tracker.models.plan import (
    Baseline,
    BaselineItem,
    Dependency,
    Milestone,
    Workstream,
    WorkstreamLead,
)
from tracker.models.programme import CalendarClosure, GoLiveTarget, Programme, SavedTemplate
from tracker.models.raid import (
    Decision,
    DecisionMilestone,
    Issue,
    Risk,
    RiskAction,
    RiskMilestone,
    RiskReview,
)
from tracker.models.reporting import StatusUpdate
from tracker.models.scenarios import RiskAnalysisResult, Scenario

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Baseline",
    "BaselineItem",
    "BoardPackDelivery",
    "CalendarFeed",
    "CalendarClosure",
    "Decision",
    "DecisionMilestone",
    "Dependency",
    "DigestDelivery",
    "DigestRun",
    "DigestSnapshot",
    "GoLiveTarget",
    "Invitation",
    "IssuedPack",
    "Issue",
    "Membership",
    "Milestone",
    "Person",
    "Programme",
    "Risk",
    "RiskAction",
    "RiskAnalysisResult",
    "RiskMilestone",
    "RiskReview",
    "SavedTemplate",
    "Scenario",
    "StatusUpdate",
    "User",
    "Workstream",
    "WorkstreamLead",
]
