"""The audit trail in the words people use: kinds of record, field names, values."""

from __future__ import annotations

import re
from datetime import date, datetime

from tracker.domain.validation import format_date
from tracker.formatting import london_time

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

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^ ]*[+-]\d{2}:\d{2}")


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


def value_words(value: str | None) -> str:
    """A recorded value as people read it: dates as "1 July 2022", moments in London time
    ("1 July 2022 09:30"), nothing as a dash."""
    if value is None or value == "":
        return "–"
    try:
        if ISO_DATE.fullmatch(value):
            return format_date(date.fromisoformat(value))
        if ISO_MOMENT.fullmatch(value):
            return london_time(datetime.fromisoformat(value))
    except ValueError:
        pass
    return value
