"""The records: what a row of each sheet holds, for export and as read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.notation import PredecessorLink, format_predecessor
from tracker.domain.validation import format_date

LinkKey = tuple[str, str, str]  # predecessor, successor, type: a link's identity


@dataclass(frozen=True)
class MilestoneRecord:
    ref: str
    title: str
    description: str
    workstream: str
    owner_email: str
    kind: str
    planned_start: date | None
    due_date: date
    status: str
    completed_on: date | None
    forecast_date: date | None
    forecast_reason: str | None
    blocked_reason: str | None
    is_key: bool
    evidence_text: str | None
    evidence_url: str | None
    predecessors: tuple[PredecessorLink, ...] = ()


@dataclass(frozen=True)
class DependencyRecord:
    predecessor: str
    successor: str
    type: str
    lag_days: int

    @property
    def key(self) -> LinkKey:
        return (self.predecessor, self.successor, self.type)

    @property
    def label(self) -> str:
        return (
            f"{format_predecessor(self.predecessor, self.type, self.lag_days)} → {self.successor}"
        )


@dataclass(frozen=True)
class RiskRecord:
    ref: str
    title: str
    description: str
    workstream: str | None
    owner_email: str
    consequence: int
    likelihood: int
    target_consequence: int
    target_likelihood: int
    mitigation: str
    status: str
    raised_on: date
    review_on: date | None
    closed_note: str | None

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood

    @property
    def target_score(self) -> int:
        return self.target_consequence * self.target_likelihood


@dataclass(frozen=True)
class StatusUpdateRecord:
    workstream: str
    week_start: date
    rag: str
    achievements: str
    next_steps: str
    issues: str
    author_email: str | None

    @property
    def label(self) -> str:
        return f"{self.workstream} week commencing {format_date(self.week_start)}"
