"""The audit trail in the words people use: kinds of record, field names, values."""

from __future__ import annotations

from tracker.formatting import audit_value

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
}

FIELD_WORDS: dict[str, str] = {
    "rag": "RAG",
    "is_key": "key milestone",
    "is_active": "account active",
    "password_hash": "password",
    "digest_opt_out": "no weekly digest",
    "display_order": "position in the list",
    "retired_on": "retired on",
    "from_organisation": "from",
    "to_organisation": "to",
    "is_instance_admin": "instance administrator",
    "evidence_text": "evidence",
    "evidence_url": "evidence link",
    "lag_days": "lag (working days)",
    "go_live_ref": "go-live milestone",
    "go_live_date": "go-live date",
    "current_baseline_id": "current baseline",
    "calendar_region": "bank holidays",
    "closed_on": "closed on",
    "closed_note": "closing note",
    "due_on": "due",
    "done_on": "done on",
    "raised_on": "raised on",
    "decided_on": "decided on",
    "review_on": "review date",
    "week_start": "week starting",
}


def entity_one(entity_type: str) -> str:
    return ENTITY_WORDS.get(entity_type, (entity_type, entity_type))[0]


def entity_many(entity_type: str) -> str:
    return ENTITY_WORDS.get(entity_type, (entity_type, entity_type))[1]


def change_words(action: str, field: str | None) -> str:
    """ "Created", "Deleted", or the field that changed: "Due date", "Owner"."""
    if action == "create":
        return "Created"
    if action == "delete":
        return "Deleted"
    if not field:
        return action.capitalize()
    words = FIELD_WORDS.get(field) or field.removesuffix("_id").replace("_", " ")
    return words[0].upper() + words[1:]


# One way of writing recorded values everywhere: the milestone page and forms use it too.
value_words = audit_value
