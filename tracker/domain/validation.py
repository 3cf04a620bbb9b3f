"""Validation rules shared by forms, imports, the API and the seed loader.

Each check returns a list of FieldError naming the field and the problem in plain words; the
database's CHECK constraints are the backstop, these are the messages people read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email

from tracker.domain.terms import DependencyType, MilestoneKind, MilestoneStatus, Rag, Role, values


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(ValueError):
    """One or more fields are invalid; nothing has been saved."""

    def __init__(self, errors: list[FieldError], entity: str = "") -> None:
        self.errors = errors
        self.entity = entity
        prefix = f"{entity}: " if entity else ""
        super().__init__(prefix + "; ".join(str(e) for e in errors))

    def messages(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


def raise_if(errors: list[FieldError], entity: str = "") -> None:
    if errors:
        raise ValidationError(errors, entity)


# The longest free text anyone may save in one field (a description, a reason, evidence, a
# highlight), and the longest web address: the same on every page, import and the API.
TEXT_LIMIT = 4000
URL_LIMIT = 500
TITLE_LIMIT = 200


def check_title(
    field: str, value: str | None, what: str = "title", limit: int = TITLE_LIMIT
) -> list[FieldError]:
    """A title, a label or a name: one line a list can show."""
    length = len((value or "").strip())
    if length > limit:
        return [FieldError(field, f"The {what} is {length} characters: keep it to {limit}")]
    return []


def check_text(field: str, value: str | None, limit: int = TEXT_LIMIT) -> list[FieldError]:
    if value is not None and len(value) > limit:
        return [FieldError(field, f"Keep this to at most {limit} characters: it is {len(value)}")]
    return []


@functools.lru_cache(maxsize=4096)  # a Gantt page formats the same few hundred days often
def format_date(d: date) -> str:
    """Dates as NHS documents write them: 1 July 2022."""
    return f"{d.day} {d:%B %Y}"


# --- dates: the one window rule ------------------------------------------------------------
# Every date the tracker stores lies in PLAUSIBLE_DATES; a programme's dates (its plan, its
# progress, its risks, issues and decisions) lie in its own window, from five years before it
# starts to five years after go-live; go-live itself lies within ten years of the start. A date
# outside is a typing slip (9999 for 2029), and would send the working-day calendar, the Gantt
# chart and the burn-up out to that year (docs/scheduling.md, "The date window").

YEARS_BEFORE_START = 5
YEARS_AFTER_GO_LIVE = 5
GO_LIVE_WITHIN_YEARS = 10


@dataclass(frozen=True)
class DateWindow:
    """The dates from `first` to `last`, both included; `name` says whose window it is."""

    first: date
    last: date
    name: str = "the tracker's window"

    def __contains__(self, value: date) -> bool:
        return self.first <= value <= self.last

    def clamp(self, value: date) -> date:
        """The nearest date in the window: how a date stored outside it is read."""
        return min(max(value, self.first), self.last)

    def words(self) -> str:
        return f"from {format_date(self.first)} to {format_date(self.last)}"


PLAUSIBLE_DATES = DateWindow(date(2000, 1, 1), date(2100, 12, 31))


def years_later(value: date, years: int) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes 28 February."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def go_live_window(start_date: date) -> DateWindow:
    """Where a programme's go-live may be: from its start to GO_LIVE_WITHIN_YEARS later."""
    start = PLAUSIBLE_DATES.clamp(start_date)
    last = PLAUSIBLE_DATES.clamp(years_later(start, GO_LIVE_WITHIN_YEARS))
    return DateWindow(start, last, "the programme's go-live window")


def programme_window(start_date: date, go_live_date: date) -> DateWindow:
    """Where a programme's dates may be. Built from the start and go-live as they are read
    (clamped into their own windows), so a bad stored go-live cannot widen it."""
    start = PLAUSIBLE_DATES.clamp(start_date)
    go_live = go_live_window(start).clamp(go_live_date)
    return DateWindow(
        PLAUSIBLE_DATES.clamp(years_later(start, -YEARS_BEFORE_START)),
        PLAUSIBLE_DATES.clamp(years_later(go_live, YEARS_AFTER_GO_LIVE)),
        "the programme's window",
    )


DATE_WORDS = {
    "planned_start": "planned start",
    "due_date": "due date",
    "forecast_date": "forecast date",
    "completed_on": "completion date",
    "target_date": "go-live date",
    "go_live_date": "go-live date",
    "raised_on": "date raised",
    "review_on": "review date",
    "due_on": "due date",
    "closed_on": "date closed",
    "decided_on": "date decided",
    # The filters: history, the milestone list, the decision log.
    "from_date": "from date",
    "to_date": "to date",
    "due_from": "earliest due date",
    "due_to": "latest due date",
    "decided_from": "earliest decision date",
    "decided_to": "latest decision date",
}


def date_words(field: str) -> str:
    """A date field as a sentence names it: "due_date" is "due date"."""
    return DATE_WORDS.get(field, field.replace("_", " "))


def check_date_in_window(
    field: str, value: date | None, window: DateWindow = PLAUSIBLE_DATES, what: str = ""
) -> list[FieldError]:
    """The one date rule: a date (when there is one) lies in the window."""
    if value is None or value in window:
        return []
    what = what or date_words(field)
    return [
        FieldError(
            field,
            f"The {what} {format_date(value)} is outside {window.name}: "
            f"enter a date {window.words()}",
        )
    ]


def stored_date_problem(whose: str, field: str, value: date, window: DateWindow) -> str | None:
    """What a page says about a date already stored outside the window (it reads it as the
    window's nearest date meanwhile): "PEO-09's due date 31 December 9999 is outside the
    programme's window: correct it"."""
    if value in window:
        return None
    return f"{whose} {date_words(field)} {format_date(value)} is outside {window.name}: correct it"


REF_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}-[0-9]{1,4}$")
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


def check_code(code: str | None) -> list[FieldError]:
    if not code:
        return [FieldError("code", "Enter a workstream code")]
    if not CODE_PATTERN.match(code):
        return [
            FieldError(
                "code", f"'{code}' must be 2 to 10 capital letters or digits, like GOV or FIN"
            )
        ]
    return []


def check_milestone(
    *,
    ref: str | None,
    title: str | None,
    kind: str | None,
    planned_start: date | None,
    due_date: date | None,
    status: str | None,
    completed_on: date | None,
    blocked_reason: str | None,
    forecast_date: date | None = None,
    forecast_reason: str | None = None,
    is_key: bool = False,
    evidence_text: str | None = None,
    evidence_url: str | None = None,
    window: DateWindow = PLAUSIBLE_DATES,
) -> list[FieldError]:
    """A milestone's fields; its dates lie in `window` (the programme's, where it is known)."""
    errors: list[FieldError] = []
    if not ref:
        errors.append(FieldError("ref", "Enter a reference, like GOV-01"))
    elif not REF_PATTERN.match(ref):
        errors.append(FieldError("ref", f"'{ref}' must look like GOV-01 (code, dash, number)"))
    if not title or not title.strip():
        errors.append(FieldError("title", "Enter a title"))
    errors += check_title("title", title)
    if kind not in values(MilestoneKind):
        errors.append(FieldError("kind", f"'{kind}' must be activity or point"))
    if due_date is None:
        errors.append(FieldError("due_date", "Enter a due date"))
    if kind == MilestoneKind.ACTIVITY and planned_start is None:
        errors.append(FieldError("planned_start", "Enter a planned start for an activity"))
    if kind == MilestoneKind.POINT and planned_start not in (None, due_date):
        errors.append(FieldError("planned_start", "A point milestone has no separate start date"))
    for field, value in (
        ("planned_start", planned_start),
        ("due_date", due_date),
        ("completed_on", completed_on),
        ("forecast_date", forecast_date),
    ):
        errors += check_date_in_window(field, value, window)
    if planned_start and due_date and due_date < planned_start:
        errors.append(
            FieldError(
                "due_date",
                f"Due date {format_date(due_date)} is before the planned start "
                f"{format_date(planned_start)}",
            )
        )
    if status not in values(MilestoneStatus):
        errors.append(
            FieldError(
                "status", f"'{status}' must be not started, in progress, complete or blocked"
            )
        )
    if status == MilestoneStatus.COMPLETE:
        if completed_on is None:
            errors.append(FieldError("completed_on", COMPLETED_ON_REQUIRED))
        errors += check_evidence(is_key, evidence_text, evidence_url)
    elif completed_on is not None:
        errors.append(FieldError("completed_on", "Only a complete milestone has a completion date"))
    if status == MilestoneStatus.BLOCKED and not (blocked_reason and blocked_reason.strip()):
        errors.append(FieldError("blocked_reason", "Say why the milestone is blocked"))
    if forecast_date is not None and not (forecast_reason and forecast_reason.strip()):
        errors.append(FieldError("forecast_reason", "Give a reason for the forecast date"))
    return errors


# A lag or lead longer than a year (260 working days) is a typing slip, not a plan.
LAG_LIMIT = 260


def check_dependency(
    *, predecessor: str | None, successor: str | None, type: str | None, lag_days: int | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if predecessor is None:
        errors.append(FieldError("predecessor", "Choose the milestone that comes first"))
    if successor is None:
        errors.append(FieldError("successor", "Choose the milestone that depends on it"))
    if predecessor is not None and predecessor == successor:
        errors.append(FieldError("successor", f"{predecessor} cannot depend on itself"))
    if type not in values(DependencyType):
        errors.append(FieldError("type", f"'{type}' must be FS, SS, FF or SF"))
    if lag_days is None or isinstance(lag_days, bool) or not isinstance(lag_days, int):
        errors.append(FieldError("lag_days", "The lag must be a whole number of working days"))
    elif abs(lag_days) > LAG_LIMIT:
        what = "lead" if lag_days < 0 else "lag"
        errors.append(
            FieldError(
                "lag_days",
                f"The {what} of {abs(lag_days)} working days is more than a year: keep the lag "
                f"within {LAG_LIMIT} working days either way, like 5, or -2 for a lead",
            )
        )
    return errors


# Schedule risk analysis's inputs (docs/risk-analysis.md). A three-point estimate beyond ten
# years of working days is a typing slip (the engine's own limit, scheduling/risk_analysis.py,
# kept here so that checking a form does not load numpy); a risk's impact beyond a year is
# one too (the database's check on risk.impact_days).
THREE_POINT_LIMIT = 2600
IMPACT_LIMIT = 260
THREE_POINT_FIELDS = (
    ("optimistic_days", "optimistic"),
    ("likely_days", "most likely"),
    ("pessimistic_days", "pessimistic"),
)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_three_point(
    kind: str | None,
    optimistic: int | None,
    likely: int | None,
    pessimistic: int | None,
) -> list[FieldError]:
    """A milestone's own three-point estimate in whole working days: all three or none, each
    no lower than the one before. For an activity they are its duration (0 or more); for a
    point in time, how many working days late it may land (negative: early)."""
    given = (optimistic, likely, pessimistic)
    if all(v is None for v in given):
        return []
    errors: list[FieldError] = []
    for (field, words), value in zip(THREE_POINT_FIELDS, given, strict=True):
        if value is None:
            errors.append(
                FieldError(field, f"Enter the {words} estimate too, or leave all three empty")
            )
        elif not _whole(value):
            errors.append(
                FieldError(field, f"The {words} estimate must be a whole number of working days")
            )
        elif kind == MilestoneKind.ACTIVITY and value < 0:
            errors.append(
                FieldError(
                    field,
                    f"The {words} estimate is an activity's duration: it cannot be below 0 "
                    "working days",
                )
            )
        elif abs(value) > THREE_POINT_LIMIT:
            errors.append(
                FieldError(
                    field,
                    f"The {words} estimate of {value:,} working days is more than ten years: "
                    f"keep it within {THREE_POINT_LIMIT:,} working days",
                )
            )
    if errors:
        return errors
    assert optimistic is not None and likely is not None and pessimistic is not None
    if likely < optimistic:
        errors.append(
            FieldError(
                "likely_days",
                f"The most likely estimate ({likely}) cannot be less than the optimistic "
                f"({optimistic})",
            )
        )
    if pessimistic < max(likely, optimistic):
        errors.append(
            FieldError(
                "pessimistic_days",
                f"The pessimistic estimate ({pessimistic}) cannot be less than the "
                f"{'most likely' if likely >= optimistic else 'optimistic'} "
                f"({max(likely, optimistic)})",
            )
        )
    return errors


def check_impact_days(value: int | None, field: str = "impact_days") -> list[FieldError]:
    """A risk's delay to its milestones if it happens: none, or 1 to IMPACT_LIMIT working
    days."""
    if value is None:
        return []
    if not _whole(value) or not 1 <= value <= IMPACT_LIMIT:
        return [
            FieldError(
                field,
                f"The delay must be a whole number of working days from 1 to {IMPACT_LIMIT} "
                "(a year), or empty if it would not delay its milestones",
            )
        ]
    return []


def check_score(field: str, value: int | None) -> list[FieldError]:
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        return [FieldError(field, "Enter a whole number from 1 to 5")]
    if not 1 <= value <= 5:
        return [FieldError(field, f"{value} is outside 1 to 5")]
    return []


def check_risk(
    *,
    title: str | None,
    consequence: int | None,
    likelihood: int | None,
    target_consequence: int | None,
    target_likelihood: int | None,
    raised_on: date | None,
    review_on: date | None,
    status: str | None,
    window: DateWindow = PLAUSIBLE_DATES,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not title or not title.strip():
        errors.append(FieldError("title", "Enter a title"))
    errors += check_title("title", title)
    errors += check_date_in_window("raised_on", raised_on, window)
    errors += check_date_in_window("review_on", review_on, window)
    for field, value in (
        ("consequence", consequence),
        ("likelihood", likelihood),
        ("target_consequence", target_consequence),
        ("target_likelihood", target_likelihood),
    ):
        errors += check_score(field, value)
    if raised_on is None:
        errors.append(FieldError("raised_on", "Enter the date the risk was raised"))
    if raised_on and review_on and review_on < raised_on:
        errors.append(
            FieldError(
                "review_on",
                f"Review date {format_date(review_on)} is before the date raised "
                f"{format_date(raised_on)}",
            )
        )
    if status not in ("open", "closed"):
        errors.append(FieldError("status", f"'{status}' must be open or closed"))
    return errors


def check_rag(field: str, value: str | None, allow_blue: bool = False) -> list[FieldError]:
    allowed = values(Rag) if allow_blue else ["red", "amber", "green"]
    if value not in allowed:
        return [FieldError(field, f"'{value}' must be one of {', '.join(allowed)}")]
    return []


# NCSC guidance: length beats complexity rules, and never cap what people may use.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


def check_password(
    password: str | None, email: str = "", field: str = "password"
) -> list[FieldError]:
    if not password:
        return [FieldError(field, "Enter a password")]
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            FieldError(field, f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
        ]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [FieldError(field, f"The password must be at most {MAX_PASSWORD_LENGTH} characters")]
    if email and password.strip().lower() in (email.lower(), email.split("@")[0].lower()):
        return [FieldError(field, "The password must not be your email address")]
    return []


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def check_email(email: str | None, field: str = "email") -> list[FieldError]:
    if not email:
        return [FieldError(field, "Enter an email address")]
    try:
        # The syntax only: whether the domain takes mail is for the mail server to say.
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return [FieldError(field, f"'{email}' is not an email address, like name@example.org")]
    return []


COMPLETED_ON_REQUIRED = "Enter the date it was completed"
EVIDENCE_URL_RULE = (
    "The link to the evidence must start with https://, like https://example.org/paper"
)


def check_evidence(
    is_key: bool, evidence_text: str | None, evidence_url: str | None
) -> list[FieldError]:
    """Evidence of completion: required for a key milestone; a link is a web address."""
    errors = check_text("evidence_text", evidence_text) + check_text(
        "evidence_url", evidence_url, URL_LIMIT
    )
    if is_key and not ((evidence_text or "").strip() or (evidence_url or "").strip()):
        errors.append(
            FieldError(
                "evidence_text",
                "Give evidence of completion: this is a key milestone the board tracks",
            )
        )
    if evidence_url and not evidence_url.strip().lower().startswith("https://"):
        errors.append(FieldError("evidence_url", EVIDENCE_URL_RULE))
    return errors


def check_completion(
    completed_on: date | None, today: date, window: DateWindow = PLAUSIBLE_DATES
) -> list[FieldError]:
    """A milestone is completed on a real day in the programme's window: never in the future."""
    if completed_on is None:
        return [FieldError("completed_on", COMPLETED_ON_REQUIRED)]
    if completed_on not in window:
        return check_date_in_window("completed_on", completed_on, window)
    if completed_on > today:
        return [
            FieldError(
                "completed_on",
                f"The completion date {format_date(completed_on)} is in the future: "
                f"enter today ({format_date(today)}) or earlier",
            )
        ]
    return []


def check_forecast(
    forecast_date: date | None,
    reason: str | None,
    today: date,
    window: DateWindow = PLAUSIBLE_DATES,
) -> list[FieldError]:
    """A forecast is a date ahead, in the programme's window, with a reason."""
    errors = []
    if forecast_date is None:
        errors.append(FieldError("forecast_date", "Enter the date you now expect it done"))
    elif forecast_date not in window:
        errors += check_date_in_window("forecast_date", forecast_date, window)
    elif forecast_date < today:
        errors.append(
            FieldError(
                "forecast_date",
                f"The forecast {format_date(forecast_date)} is in the past: if it is done, "
                "mark it complete instead",
            )
        )
    if not (reason and reason.strip()):
        errors.append(FieldError("forecast_reason", "Say why the date has moved"))
    return errors


def check_reason(field: str, reason: str | None, what: str) -> list[FieldError]:
    if not (reason and reason.strip()):
        return [FieldError(field, f"Say why {what}")]
    return check_text(field, reason)


def check_role(role: str | None, where: str = "the programme") -> list[FieldError]:
    """A role in a programme (a membership's, an invitation's): one of the four."""
    if not role:
        return [FieldError("role", f"Choose their role in {where}")]
    if role not in values(Role):
        return [FieldError("role", f"'{role}' must be admin, lead, board or viewer")]
    return []
