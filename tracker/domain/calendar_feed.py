"""Calendar feeds (iCalendar, RFC 5545) for Outlook: one all-day event per milestone.

Plain data in (``FeedMilestone``), the feed's bytes out. What goes in a feed and why:
docs/calendar.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from tracker.domain.terms import MilestoneStatus
from tracker.domain.validation import PLAUSIBLE_DATES, format_date

PRODID = "-//Transition tracker//Milestone calendar feed//EN"
# How often calendar programs should fetch the feed again (Outlook reads X-PUBLISHED-TTL,
# others REFRESH-INTERVAL); Outlook on the web may still take several hours.
REFRESH = timedelta(hours=1)
RAG_WORDS = {"blue": "Blue (complete)", "red": "Red", "amber": "Amber", "green": "Green"}


@dataclass(frozen=True)
class FeedMilestone:
    """One milestone as a feed shows it, with the schedule's figures for it."""

    id: int
    ref: str
    title: str
    programme_slug: str
    programme_name: str
    workstream_code: str
    workstream_name: str
    owner: str
    status: str  # MilestoneStatus values
    due: date
    lead_forecast: date | None  # the forecast date a lead entered, if any
    completed_on: date | None
    url: str  # the milestone's page, absolute
    updated_at: datetime
    version: int
    # From the schedule (None when it could not say):
    forecast: date | None = None  # where the schedule expects it to land
    overdue: bool = False
    rag: str | None = None
    rag_reason: str | None = None


@dataclass(frozen=True)
class Feed:
    """A whole feed: its name in the calendar list and its milestones."""

    name: str
    description: str
    milestones: tuple[FeedMilestone, ...]


def status_word(m: FeedMilestone) -> str:
    """The word in square brackets at the start of an event's title.

    Complete, then Overdue (due date passed, not complete; ", blocked" when it is also
    blocked), then Blocked, then Forecast (the event sits on a lead's forecast date rather
    than the due date), else Due.
    """
    if m.status == MilestoneStatus.COMPLETE:
        return "Complete"
    if m.overdue:
        return "Overdue, blocked" if m.status == MilestoneStatus.BLOCKED else "Overdue"
    if m.status == MilestoneStatus.BLOCKED:
        return "Blocked"
    if event_date(m) != m.due:
        return "Forecast"
    return "Due"


def event_date(m: FeedMilestone) -> date:
    """The day the event sits on: the completion date once complete, else the lead's
    forecast if they gave one, else the due date."""
    if m.status == MilestoneStatus.COMPLETE and m.completed_on is not None:
        return m.completed_on
    return m.lead_forecast or m.due


def summary(m: FeedMilestone) -> str:
    return f"[{status_word(m)}] {m.ref} {m.title}"


def description(m: FeedMilestone) -> str:
    status = m.status.replace("_", " ").capitalize()
    lines = [
        f"Programme: {m.programme_name}",
        f"Workstream: {m.workstream_code} {m.workstream_name}",
        f"Owner: {m.owner}",
        f"Status: {status}",
        f"Due: {format_date(m.due)}",
    ]
    if m.status == MilestoneStatus.COMPLETE and m.completed_on is not None:
        lines.append(f"Completed: {format_date(m.completed_on)}")
    else:
        if m.lead_forecast is not None:
            lines.append(f"Lead's forecast: {format_date(m.lead_forecast)}")
        if m.forecast is not None:
            lines.append(f"Scheduled forecast: {format_date(m.forecast)}")
    if m.rag is not None:
        rag = RAG_WORDS.get(m.rag, m.rag)
        # Blue's reason only repeats the completion date.
        reason = f" ({m.rag_reason})" if m.rag_reason and m.rag != "blue" else ""
        lines.append(f"RAG: {rag}{reason}")
    lines.append("")
    lines.append(m.url)
    return "\n".join(lines)


def event_uid(programme_slug: str, milestone_id: int, host: str) -> str:
    """By id, not ref: renaming a milestone or moving its date keeps the same event."""
    return f"milestone-{programme_slug}-{milestone_id}@{host}"


def event(m: FeedMilestone, *, host: str, stamp: datetime) -> Event:
    day = PLAUSIBLE_DATES.clamp(event_date(m))  # a date stored outside it has no next day
    e = Event()
    e.add("uid", event_uid(m.programme_slug, m.id, host))
    e.add("dtstamp", stamp)
    e.add("last-modified", m.updated_at)
    # The version starts at 1 and goes up with every saved change; SEQUENCE starts at 0.
    e.add("sequence", max(m.version - 1, 0))
    e.add("dtstart", day)  # a date, so VALUE=DATE: an all-day event
    e.add("dtend", day + timedelta(days=1))  # DTEND is exclusive
    e.add("summary", summary(m))
    e.add("description", description(m))
    e.add("url", m.url)
    e.add("categories", [m.workstream_code])
    # A milestone is not a meeting: it must not make anyone look busy.
    e.add("transp", "TRANSPARENT")
    e.add("x-microsoft-cdo-busystatus", "FREE")
    e.add("x-microsoft-cdo-alldayevent", "TRUE")
    return e


def build_calendar(feed: Feed, *, host: str, stamp: datetime) -> bytes:
    """The feed as iCalendar bytes (UTF-8), events by date then reference.

    ``host`` names the events (their UIDs); ``stamp`` is when the feed was made (DTSTAMP).
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", feed.name)
    cal.add("name", feed.name)
    cal.add("x-wr-caldesc", feed.description)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for m in sorted(feed.milestones, key=lambda m: (event_date(m), m.ref, m.id)):
        cal.add_component(event(m, host=host, stamp=stamp))
    data: bytes = cal.to_ical()
    return data


def person_feed(person: str, milestones: Iterable[FeedMilestone]) -> Feed:
    return Feed(
        name=f"{person}: transition milestones",
        description=(
            f"Milestones {person} owns and milestones in the workstreams {person} leads, "
            "from the transition tracker."
        ),
        milestones=tuple(milestones),
    )


def workstream_feed(
    programme: str, code: str, name: str, milestones: Iterable[FeedMilestone]
) -> Feed:
    return Feed(
        name=f"{code} milestones: {programme}",
        description=f"Milestones of the workstream {code} {name} ({programme}), "
        "from the transition tracker.",
        milestones=tuple(milestones),
    )


def file_name(*parts: str) -> str:
    """A safe file name for the download: "milestones-becca-bradd.ics"."""
    words = "-".join(parts).lower()
    return "milestones-" + (re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "feed") + ".ics"
