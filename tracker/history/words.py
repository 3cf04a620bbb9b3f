"""The audit trail in the words people use: kinds of record, field names, values.

Every column the trail records (tracker/audit.py, AUDITED) has words here, and
tests/test_defects_18.py checks that a new column cannot be added without them.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Protocol

from tracker.domain.programme_settings import REGIONS
from tracker.domain.scenarios import edits_from_json
from tracker.domain.terms import ROLE_LABELS, MilestoneStatus
from tracker.formatting import audit_value
from tracker.services.history import ID_FIELDS

# Kind of record -> (one, many): "Milestone" / "Milestones".
ENTITY_WORDS: dict[str, tuple[str, str]] = {
    "Milestone": ("Milestone", "Milestones"),
    "Dependency": ("Dependency", "Dependencies"),
    "StatusUpdate": ("Weekly highlight", "Weekly highlights"),
    "Risk": ("Risk", "Risks"),
    "RiskAction": ("Risk action", "Risk actions"),
    "RiskReview": ("Risk review", "Risk reviews"),
    "Issue": ("Issue", "Issues"),
    "Decision": ("Decision", "Decisions"),
    "ApiToken": ("API token", "API tokens"),
    "CalendarFeed": ("Calendar feed", "Calendar feeds"),
    "Baseline": ("Baseline", "Baselines"),
    "GoLiveTarget": ("Go-live target", "Go-live target"),
    "Workstream": ("Workstream", "Workstreams"),
    "WorkstreamLead": ("Workstream lead", "Workstream leads"),
    "CalendarClosure": ("Non-working day", "Non-working days"),
    "Programme": ("Programme", "Programme settings"),
    "Person": ("Person", "People"),
    "User": ("User account", "User accounts"),
    "Membership": ("Role in the programme", "Roles in the programme"),
    "Invitation": ("Invitation", "Invitations"),
    "SavedTemplate": ("Saved template", "Saved templates"),
    "Scenario": ("Scenario", "Scenarios"),
    "IssuedPack": ("Issued board pack", "Issued board packs"),
}

# Each recorded field, in lower case as a sentence names it; ENTITY_FIELD_WORDS when one
# kind of record means something else by it.
FIELD_WORDS: dict[str, str] = {
    # Shared
    "programme_id": "programme",
    "workstream_id": "workstream",
    "person_id": "person",
    "owner_id": "owner",
    "user_id": "user account",
    "ref": "reference",
    "title": "title",
    "name": "name",
    "description": "description",
    "status": "status",
    "reason": "reason",
    "note": "note",
    "role": "role",
    "revoked_at": "revoked",
    # Programme
    "slug": "web address",
    "from_organisation": "organisations that close",
    "to_organisation": "organisation it becomes",
    "start_date": "start date",
    "go_live_date": "go-live date",
    "go_live_ref": "go-live milestone",
    "template_key": "template",
    "calendar_region": "bank holidays",
    "health_thresholds": "plan health thresholds",
    "risk_defaults": "schedule risk analysis defaults",
    "protective_marking": "protective marking",
    "current_baseline_id": "baseline slip is measured against",
    # Go-live target, closures
    "target_date": "go-live target",
    "set_on": "set on",
    "set_by_id": "set by",
    "recorded_at": "recorded",
    "closed_on": "closed on",
    # Workstreams
    "code": "code",
    "display_order": "position in the list",
    "retired_on": "retired on",
    "position": "order among the leads",
    # Milestones
    "kind": "kind",
    "planned_start": "planned start",
    "due_date": "due date",
    "forecast_date": "lead's forecast",
    "forecast_reason": "reason for the forecast",
    "forecast_by_id": "forecast by",
    "blocked_reason": "reason it is blocked",
    "completed_on": "completed on",
    "completed_by_id": "completed by",
    "evidence_text": "evidence",
    "evidence_url": "evidence link",
    "is_key": "key milestone",
    "optimistic_days": "optimistic estimate (working days)",
    "likely_days": "most likely estimate (working days)",
    "project_uid": "Microsoft Project UID",
    "pessimistic_days": "pessimistic estimate (working days)",
    # Links
    "predecessor_id": "predecessor",
    "successor_id": "successor",
    "type": "link type",
    "lag_days": "lag (working days)",
    # Baselines
    "label": "label",
    "taken_at": "taken",
    "taken_by_id": "taken by",
    # Risks, issues, decisions
    "consequence": "consequence",
    "likelihood": "likelihood",
    "target_consequence": "target consequence",
    "target_likelihood": "target likelihood",
    "mitigation": "mitigation",
    "closed_note": "closing note",
    "raised_on": "date raised",
    "review_on": "review date",
    "impact_days": "delay to its milestones if it happens (working days)",
    "milestones": "milestones",
    "risk_id": "risk",
    "due_on": "due",
    "done_on": "done on",
    "reviewed_on": "reviewed on",
    "reviewer_id": "reviewed by",
    "impact": "impact",
    "action": "action being taken",
    "decided_on": "date decided",
    "forum": "forum",
    "decision": "decision",
    # Weekly highlights
    "week_start": "week commencing",
    "rag": "RAG",
    "achievements": "achievements",
    "next_steps": "next steps",
    "issues": "issues",
    "author_id": "author",
    # Issued board packs
    "board_date": "board meeting",
    "position_at": "position at",
    "issued_at": "issued",
    "issued_by_id": "issued by",
    "pdf": "PDF",
    "sha256": "SHA-256",
    "snapshot": "figures it was made from",
    # People and accounts
    "job_title": "job title",
    "directorate": "directorate",
    "email": "email address",
    "is_instance_admin": "instance administrator",
    "password_hash": "password",
    "is_active": "account active",
    "digest_opt_out": "no weekly digest",
    "session_generation": "signed out everywhere (times)",
    "token_digest": "secret",
    "prefix": "first characters",
    "person_feed": "their own milestones",
    "token": "feed address",
    "invited_by_id": "invited by",
    "sent_at": "sent",
    "times_sent": "times sent",
    "expires_at": "expires",
    "accepted_at": "accepted",
    # Saved templates
    "key": "template",
    "body": "the plan it holds",
    "made_from_id": "made from programme",
    "saved_by_id": "saved by",
    "saved_at": "saved",
    # Scenarios
    "shared": "shared with the programme",
    "edits": "changes it makes",
    "based_on_version": "plan version it was made on",
}

ENTITY_FIELD_WORDS: dict[tuple[str, str], str] = {
    ("Person", "name"): "full name",
    ("Issue", "closed_on"): "date resolved",
    ("Issue", "description"): "what has happened",
    ("CalendarClosure", "closed_on"): "date",
    ("Risk", "milestones"): "milestones it affects",
    ("Decision", "milestones"): "milestones it concerns",
    ("Decision", "owner_id"): "owner",
    ("Invitation", "token_digest"): "invitation link",
    ("ApiToken", "name"): "what it is for",
}

# Fixed sets of values, as the forms offer them.
VALUE_WORDS: dict[str, dict[str, str]] = {
    "status": {s.value: s.label for s in MilestoneStatus} | {"open": "Open", "closed": "Closed"},
    "kind": {"activity": "Activity", "point": "Point milestone"},
    "type": {
        "FS": "Finish to start (FS)",
        "SS": "Start to start (SS)",
        "FF": "Finish to finish (FF)",
        "SF": "Start to finish (SF)",
    },
    "rag": {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue (complete)"},
    "role": {str(role): label for role, label in ROLE_LABELS.items()},
    "calendar_region": REGIONS,
}
YES_NO = {"yes": "Yes", "no": "No"}
BOOLEAN_FIELDS = {
    "is_key",
    "is_active",
    "digest_opt_out",
    "is_instance_admin",
    "person_feed",
    "shared",
}

# A bare id whose record has gone (services/history.py ID_FIELDS says what it was of).
GONE = {
    "person": "someone no longer in the tracker",
    "user": "an account no longer in the tracker",
    "risk": "a deleted risk",
    "programme": "a deleted programme",
}

# (kind, id as recorded) -> name, as services/history.py finds them.
Names = Mapping[tuple[str, str], str]


class Event(Protocol):
    """What the words need of an audit event (AuditEvent, or ChangeMade)."""

    @property
    def action(self) -> str: ...
    @property
    def field(self) -> str | None: ...


def entity_one(entity_type: str) -> str:
    return ENTITY_WORDS.get(entity_type, (entity_type, entity_type))[0]


def entity_many(entity_type: str) -> str:
    return ENTITY_WORDS.get(entity_type, (entity_type, entity_type))[1]


def field_words(field: str, entity_type: str | None = None) -> str:
    """A recorded field in words, lower case: "completed_by_id" is "completed by"."""
    if entity_type and (entity_type, field) in ENTITY_FIELD_WORDS:
        return ENTITY_FIELD_WORDS[(entity_type, field)]
    return FIELD_WORDS.get(field) or field.removesuffix("_id").replace("_", " ")


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def change_words(action: str, field: str | None, entity_type: str | None = None) -> str:
    """ "Created", "Deleted", or the field that changed: "Due date", "Completed by"."""
    if action == "create":
        return "Created"
    if action == "delete":
        return "Deleted"
    if not field:
        return action.capitalize()
    return _capital(field_words(field, entity_type))


def link_change_words(action: str, field: str | None, label: str) -> str:
    """A link's change on a milestone's page: "Link PEO-08 -> PEO-09 added", "Link PEO-08 ->
    PEO-09: lag (working days)"."""
    if action == "create":
        return f"Link {label} added"
    if action == "delete":
        return f"Link {label} removed"
    return f"Link {label}: {field_words(field or '', 'Dependency')}"


def event_words(event: Event) -> str:
    """What changed, for a list of one record's changes (a milestone's history): a link's
    changes name the link."""
    entity_type = getattr(event, "entity_type", None)
    if entity_type == "Dependency":
        return link_change_words(event.action, event.field, getattr(event, "entity_label", ""))
    return change_words(event.action, event.field, entity_type)


def _thresholds(value: str) -> str | None:
    """Plan health thresholds as recorded ("{'high_float': 44}"): "high float 44"."""
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(parsed, dict):
        return None
    return ", ".join(f"{str(k).replace('_', ' ')} {v}" for k, v in parsed.items()) or "none"


def _edits(value: str) -> str | None:
    """A scenario's edits as recorded (a list of JSON objects, as Python writes it): each in
    words ("PEO-03 slips 15 working days; go-live target 1 August 2022")."""
    try:
        edits = edits_from_json(ast.literal_eval(value))
    except (ValueError, SyntaxError):
        return None
    return "; ".join(e.summary for e in edits) or "none"


def value_words(value: str | None, field: str | None = None, names: Names | None = None) -> str:
    """A recorded value as people read it: "in_progress" is "In progress" (for its field),
    an id the name it stands for (from `names`), dates "1 July 2022", moments in London time
    with the zone, nothing a dash."""
    if value is None or value == "":
        return "–"
    if field in VALUE_WORDS and value in VALUE_WORDS[field]:
        return VALUE_WORDS[field][value]
    if field in BOOLEAN_FIELDS and value in YES_NO:
        return YES_NO[value]
    if field in ID_FIELDS and value.isdigit() and names is not None:
        kind = ID_FIELDS[field]
        return names.get((kind, value), GONE[kind])
    if field == "health_thresholds":
        return _thresholds(value) or value
    if field == "edits":
        return _edits(value) or value
    return audit_value(value)
