"""A programme's own settings, as its admins change them: its details (name, organisations,
start, the bank holidays it follows), its closure days, and its workstreams (code, name,
leads, order, retirement). Plain rules and their messages; services/programme_admin.py and
services/workstreams.py apply them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import holidays

from tracker.domain.board_pack import MARKINGS
from tracker.domain.text import listed, strip_bidi
from tracker.domain.validation import (
    GO_LIVE_WITHIN_YEARS,
    PLAUSIBLE_DATES,
    DateWindow,
    FieldError,
    check_code,
    check_date_in_window,
    check_text,
    check_title,
    format_date,
    programme_window,
    years_later,
)
from tracker.scheduling import calendar

_REGION_NAMES = {"ENG": "England", "WLS": "Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}
# The parts of the UK whose bank holidays a programme may follow (the `holidays` package's
# subdivisions of GB), by name, in the working-day calendar's order.
REGIONS: dict[str, str] = {code: _REGION_NAMES[code] for code in calendar.REGIONS}

ORGANISATION_LIMIT = 200  # programme.from_organisation and to_organisation
REASON_LIMIT = 200  # calendar_closure.reason
# The open milestones a refusal to retire names before "and N more".
NAMED_AT_MOST = 10


def region_name(region: str) -> str:
    return REGIONS.get(region, region)


def clean_text(value: str | None) -> str:
    """One line as it is stored: no bidirectional controls, no spaces around it."""
    return strip_bidi(value or "").strip()


# --- the programme's details -----------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeDetails:
    """What the settings page sets on a programme. Go-live is not among them: it moves on
    its own page, with its reason kept (plan_edits.go_live)."""

    name: str
    from_organisation: str
    to_organisation: str
    start_date: date | None
    calendar_region: str
    # The marking on its board packs (board_pack.MARKINGS); None leaves it as it is.
    protective_marking: str | None = None

    def __post_init__(self) -> None:
        # No bidirectional controls in a name, and no stray spaces, before any check.
        for name in ("name", "from_organisation", "to_organisation", "calendar_region"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))


def check_details(
    details: ProgrammeDetails, go_live_date: date, earliest_date: date | None = None
) -> list[FieldError]:
    """The details' rules. `earliest_date` is the earliest date the plan holds (a milestone
    or a closure): a start that would leave it outside the programme's window is refused."""
    errors: list[FieldError] = []
    if not details.name:
        errors.append(FieldError("name", "Enter the programme's name"))
    errors += check_title("name", details.name, "programme's name")
    if not details.from_organisation:
        errors.append(
            FieldError("from_organisation", "Enter the organisation or organisations it is from")
        )
    errors += check_title(
        "from_organisation", details.from_organisation, "organisations' names", ORGANISATION_LIMIT
    )
    if not details.to_organisation:
        errors.append(FieldError("to_organisation", "Enter the organisation it is to"))
    errors += check_title(
        "to_organisation", details.to_organisation, "organisation's name", ORGANISATION_LIMIT
    )
    errors += _check_start(details.start_date, go_live_date, earliest_date)
    if details.protective_marking is not None and details.protective_marking not in MARKINGS:
        errors.append(
            FieldError("protective_marking", f"Choose a protective marking: {listed(MARKINGS)}")
        )
    return errors + check_region("calendar_region", details.calendar_region)


def check_region(field: str, region: str | None) -> list[FieldError]:
    """One of the regions whose bank holidays the calendar knows."""
    if region in REGIONS:
        return []
    names = ", ".join(list(REGIONS.values())[:-1]) + " or " + list(REGIONS.values())[-1]
    return [FieldError(field, f"Choose whose bank holidays it follows: {names}")]


def _check_start(
    start: date | None, go_live_date: date, earliest_date: date | None
) -> list[FieldError]:
    if start is None:
        return [FieldError("start_date", "Enter the date the programme starts")]
    if start not in PLAUSIBLE_DATES:
        return check_date_in_window("start_date", start, what="start date")
    if start > go_live_date:
        return [
            FieldError(
                "start_date",
                f"The start date {format_date(start)} is after go-live "
                f"({format_date(go_live_date)}): enter a date on or before it",
            )
        ]
    if go_live_date > years_later(start, GO_LIVE_WITHIN_YEARS):
        return [
            FieldError(
                "start_date",
                f"The start date {format_date(start)} is more than {GO_LIVE_WITHIN_YEARS} "
                f"years before go-live ({format_date(go_live_date)}): enter a later date",
            )
        ]
    window = programme_window(start, go_live_date)
    if earliest_date is not None and earliest_date < window.first:
        return [
            FieldError(
                "start_date",
                f"The start date {format_date(start)} would leave the plan's date "
                f"{format_date(earliest_date)} outside the programme's window (it begins "
                f"{format_date(window.first)}): enter an earlier date",
            )
        ]
    return []


# --- closure days ----------------------------------------------------------------------------


def bank_holiday(region: str, day: date) -> str | None:
    """The name of the bank holiday on `day` in the region, or None."""
    if region not in REGIONS:
        return None
    table = holidays.country_holidays("GB", subdiv=region, years=day.year)
    return table.get(day)


@dataclass(frozen=True)
class Closure:
    """A closure day as the rules see it."""

    closed_on: date
    reason: str


def check_closure(
    closed_on: date | None,
    reason: str | None,
    *,
    region: str,
    window: DateWindow,
    existing: Iterable[Closure] = (),
) -> list[FieldError]:
    """A new closure day: a date in the programme's window that would otherwise be a working
    day (not a weekend, not a bank holiday, not closed already), with a reason."""
    errors: list[FieldError] = []
    if closed_on is None:
        errors.append(FieldError("closed_on", "Enter the date the office is closed"))
    elif closed_on not in window:
        errors += check_date_in_window("closed_on", closed_on, window, what="closure date")
    elif closed_on.weekday() >= 5:
        errors.append(
            FieldError(
                "closed_on",
                f"Closure date {format_date(closed_on)} is a {closed_on:%A}: weekends are "
                "never working days",
            )
        )
    elif holiday := bank_holiday(region, closed_on):
        errors.append(
            FieldError(
                "closed_on",
                f"Closure date {format_date(closed_on)} is already a bank holiday in "
                f"{region_name(region)} ({holiday})",
            )
        )
    else:
        same = next((c for c in existing if c.closed_on == closed_on), None)
        if same is not None:
            errors.append(
                FieldError(
                    "closed_on",
                    f"Closure date {format_date(closed_on)} is already a closure day "
                    f"({same.reason})",
                )
            )
    text = clean_text(reason)
    if not text:
        errors.append(FieldError("reason", "Say why the office is closed, like Christmas shutdown"))
    errors += check_title("reason", text, "reason", REASON_LIMIT)
    return errors


def closures_on_bank_holidays(region: str, days: Iterable[date]) -> dict[date, str]:
    """Closure days that are bank holidays too (after the region changed): they can go."""
    return {d: name for d in days if (name := bank_holiday(region, d))}


# --- workstreams -----------------------------------------------------------------------------

UP, DOWN = "up", "down"


@dataclass(frozen=True)
class WorkstreamPlan:
    """What an admin sets on a workstream: its code, name, description and leads (person
    ids, in the order they are listed)."""

    code: str
    name: str
    description: str = ""
    lead_ids: tuple[int, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # Codes are capitals ("gov" is GOV); no bidirectional controls in a name.
        object.__setattr__(self, "code", clean_text(self.code).upper())
        object.__setattr__(self, "name", clean_text(self.name))
        object.__setattr__(self, "description", strip_bidi(self.description or "").strip())
        object.__setattr__(self, "lead_ids", tuple(dict.fromkeys(self.lead_ids)))


def check_workstream(
    plan: WorkstreamPlan,
    *,
    code_taken_by: str | None = None,
    not_members: Sequence[str] = (),
) -> list[FieldError]:
    """A workstream's rules. `code_taken_by` is the name of another workstream of the
    programme with the same code; `not_members` the leads chosen who are not members of the
    programme (or no one at all)."""
    errors = check_code(plan.code)
    if not errors and code_taken_by is not None:
        errors.append(
            FieldError(
                "code", f"{plan.code} is already the code of “{code_taken_by}”: choose another"
            )
        )
    if not plan.name:
        errors.append(FieldError("name", "Enter the workstream's name"))
    errors += check_title("name", plan.name, "workstream's name")
    errors += check_text("description", plan.description)
    if not_members:
        errors.append(
            FieldError(
                "leads",
                f"{', '.join(not_members)} "
                f"{'is not a member' if len(not_members) == 1 else 'are not members'} of the "
                "programme: choose leads from its members",
            )
        )
    return errors


def check_retire(code: str, retired_on: date | None, open_refs: Sequence[str]) -> list[FieldError]:
    """A workstream retires once none of its milestones is open (all complete)."""
    if retired_on is not None:
        return [FieldError("", f"{code} was already retired on {format_date(retired_on)}")]
    if not open_refs:
        return []
    named = ", ".join(open_refs[:NAMED_AT_MOST])
    more = len(open_refs) - NAMED_AT_MOST
    if more > 0:
        named += f" and {more} more"
    count = len(open_refs)
    return [
        FieldError(
            "",
            f"{code} cannot be retired while {count} of its milestones "
            f"{'is' if count == 1 else 'are'} open ({named}): complete "
            f"{'it' if count == 1 else 'them'}, or move {'it' if count == 1 else 'them'} to "
            "another workstream, first",
        )
    ]


def check_restore(code: str, retired_on: date | None) -> list[FieldError]:
    if retired_on is None:
        return [FieldError("", f"{code} is not retired")]
    return []


def check_move(codes: Sequence[str], code: str, direction: str) -> list[FieldError]:
    """Whether `code` can move one place up or down among `codes` (in display order)."""
    if direction not in (UP, DOWN):
        return [FieldError("direction", "Choose to move the workstream up or down")]
    at = list(codes).index(code)
    if direction == UP and at == 0:
        return [FieldError("direction", f"{code} is already first")]
    if direction == DOWN and at == len(codes) - 1:
        return [FieldError("direction", f"{code} is already last")]
    return []


def reordered(codes: Sequence[str], code: str, direction: str) -> list[str]:
    """The codes in their new order, `code` swapped with its neighbour (check_move first)."""
    order = list(codes)
    at = order.index(code)
    to = at - 1 if direction == UP else at + 1
    order[at], order[to] = order[to], order[at]
    return order
