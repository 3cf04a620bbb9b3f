"""The weekly digest's content: who gets it, and what it says to each of them.

The programme's week (ProgrammeWeek) is built once a run from the same schedule and figures
as the dashboard (tracker.services.schedule, tracker.services.board), compared with the
snapshot the last week's run left (tracker.domain.digest does the comparing, as plain data),
then personalised and rendered for each person: an HTML part with the CSS inlined and a
plain-text part. Read-only: sending it, and the ledger of who has had it, are
tracker/services/digest_delivery.py and tracker/services/digest_ledger.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import css_inline
from flask import current_app, render_template, url_for
from sqlalchemy import select

from tracker import clock
from tracker.domain.digest import Digest, for_recipient, iso_week_label, programme_digest, snapshot
from tracker.domain.my_work import week_start as monday_of
from tracker.domain.plan_health import digest_line
from tracker.domain.terms import Role
from tracker.extensions import db
from tracker.models import (
    DigestSnapshot,
    Membership,
    Milestone,
    Person,
    Programme,
    Risk,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.services import board, plan_health, schedule_risk
from tracker.services.schedule import programme_schedule


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    role: str
    my_workstreams: tuple[str, ...] = ()


def as_at(week_start: date) -> date:
    """The day the digest reports: today for this week, else that week's Monday."""
    today = clock.today()
    return today if monday_of(today) == week_start else week_start


def recipients(programme: Programme, only: str | None = None) -> list[Recipient]:
    """Every active account of the programme's members that has not opted out: its admins,
    board members and viewers, and its leads who lead a workstream or own a milestone in it.
    Nobody else: a programme's digest goes only to its members."""
    led: dict[int, list[str]] = {}
    for person_id, code in db.session.execute(
        select(WorkstreamLead.person_id, Workstream.code)
        .join(Workstream, Workstream.id == WorkstreamLead.workstream_id)
        .where(Workstream.programme_id == programme.id, Workstream.retired_on.is_(None))
        .order_by(Workstream.display_order, Workstream.code)
    ):
        led.setdefault(person_id, []).append(code)
    owners = set(
        db.session.scalars(
            select(Milestone.owner_id).where(Milestone.programme_id == programme.id).distinct()
        )
    )
    query = (
        select(User.id, Membership.role, Person.id, Person.name, Person.email)
        .join(Person, Person.id == User.person_id)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.programme_id == programme.id,
            User.is_active.is_(True),
            User.digest_opt_out.is_(False),
        )
        .order_by(Person.name)
    )
    if only:
        query = query.where(Person.email == only.strip().lower())
    found = []
    for user_id, role, person_id, name, email in db.session.execute(query):
        if role == Role.LEAD and person_id not in led and person_id not in owners:
            continue
        found.append(Recipient(user_id, name, email, role, tuple(led.get(person_id, ()))))
    return found


def previous_snapshot(programme: Programme, week_start: date) -> dict[str, Any] | None:
    return db.session.scalar(
        select(DigestSnapshot.data)
        .where(DigestSnapshot.programme_id == programme.id, DigestSnapshot.week_start < week_start)
        .order_by(DigestSnapshot.week_start.desc())
        .limit(1)
    )


@dataclass
class ProgrammeWeek:
    """The programme's digest for a week, before personalising, and what it leaves behind."""

    digest: Digest
    snapshot: dict[str, Any]
    # Each digest has a few hundred links, the same for every recipient: built once a run.
    links: dict[tuple[Any, ...], str] = field(default_factory=dict)


def programme_week(programme: Programme, week_start: date) -> ProgrammeWeek | None:
    """None when the programme has no milestones yet."""
    day = as_at(week_start)
    schedule = programme_schedule(programme, today=day)
    if schedule is None:
        return None
    workstreams = board.workstreams(programme)  # not the retired ones, nor their highlights
    code_of = {ws.id: ws.code for ws in workstreams}
    reported = {
        code_of[ws_id]: h.rag
        for ws_id, h in board.latest_highlights(programme, day).items()
        if ws_id in code_of
    }
    last_week = {
        code_of[ws_id]: h.rag
        for ws_id, h in board.latest_highlights(programme, week_start - timedelta(days=1)).items()
        if ws_id in code_of
    }
    risks = board.risk_lines(programme, day)
    raised = dict(
        db.session.execute(
            select(Risk.ref, Risk.raised_on).where(Risk.programme_id == programme.id)
        ).all()
    )
    digest = programme_digest(
        programme=programme.name,
        slug=programme.slug,
        week_start=week_start,
        forecast=schedule.forecast,
        baseline_label=schedule.baseline_label,
        workstreams=[(ws.code, ws.name) for ws in workstreams],
        reported_rags=reported,
        previous_reported_rags=last_week,
        risks=risks,
        risks_raised=raised,
        previous=previous_snapshot(programme, week_start),
    )
    health = plan_health.report_for(programme, schedule)
    if health is not None:
        headline = replace(digest.headline, plan_health=digest_line(health))
        digest = replace(digest, headline=headline)
    # The chance of making go-live is of today's plan: a past week's digest has none.
    chance = schedule_risk.digest_line_for(programme) if day == clock.today() else None
    if chance is not None:
        digest = replace(digest, headline=replace(digest.headline, schedule_risk=chance))
    return ProgrammeWeek(digest, snapshot(schedule.forecast, reported, risks))


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str
    text: str


def render(digest: Digest, links: dict[tuple[Any, ...], str] | None = None) -> RenderedDigest:
    """The HTML part (CSS inlined, tables for layout: Outlook) and the plain-text part.

    Links are absolute, on APP_BASE_URL, so they work from a mail client. `links` caches
    them across recipients.
    """
    base = current_app.config["APP_BASE_URL"].rstrip("/")
    cache = {} if links is None else links
    with current_app.test_request_context(base_url=base):

        def link(endpoint: str, **values: Any) -> str:
            key = (endpoint, *sorted(values.items()))
            if key not in cache:
                cache[key] = url_for(endpoint, _external=True, **values)
            return cache[key]

        context = {"d": digest, "link": link, "week": iso_week_label(digest.week_start)}
        html = render_template("email/digest.html", **context)
        text = render_template("email/digest.txt", **context)
    return RenderedDigest(digest.subject, _inliner.inline(html), text)


# keep_style_tags: the block stays for the few clients that honour it; load_remote_stylesheets
# off: an email must never fetch anything.
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def for_person(week: ProgrammeWeek, recipient: Recipient) -> RenderedDigest:
    """The week's digest as this person gets it: their workstreams first."""
    return render(for_recipient(week.digest, recipient.name, recipient.my_workstreams), week.links)
