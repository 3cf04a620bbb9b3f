"""Calendar feeds: their secret addresses (create, renew, revoke) and what each one shows.

A feed is read in a fixed number of queries: the feed, its milestones (one query), and the
schedule of each programme they belong to (a fixed number per programme, not per milestone).

The changes are units of work (tracker/services/unit_of_work.py) taking the acting person
first: create_person_feed and create_workstream_feed (a feed of one's own), renew_feed and
revoke_feed (the feed's owner, or an admin). create_feed is their building block and leaves
the commit to the caller.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, current_app
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.routing import MapAdapter

from tracker.domain import calendar_feed as ics
from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.validation import FieldError, ValidationError
from tracker.extensions import db
from tracker.models import CalendarFeed, Membership, Milestone, Person, Programme, User, Workstream
from tracker.models.base import utcnow
from tracker.models.plan import WorkstreamLead
from tracker.scheduling.programme_data import MilestoneForecast
from tracker.services import accounts
from tracker.services.board import schedule_for
from tracker.services.unit_of_work import allow, unit_of_work

# 32 random bytes, 43 URL-safe characters: far beyond guessing, and the column holds 64.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# --- reading a feed by its address ------------------------------------------------------


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed at this address, if it still works: not revoked, its owner still active, and
    (a workstream's feed) its owner still a member of the workstream's programme.

    Unknown, revoked, deactivated and no longer a member all answer None, so the caller
    cannot tell them apart.
    """
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(
        select(CalendarFeed)
        .join(User, User.id == CalendarFeed.user_id)
        .where(
            CalendarFeed.token == token,
            CalendarFeed.revoked_at.is_(None),
            User.is_active.is_(True),
        )
        .options(
            joinedload(CalendarFeed.user),
            joinedload(CalendarFeed.workstream).joinedload(Workstream.programme),
        )
    )
    if feed is not None and feed.workstream is not None:
        seen = _programmes_seen_by(feed.user)
        if seen is not None and feed.workstream.programme_id not in seen:
            return None
    return feed


def _programmes_seen_by(user: User) -> set[int] | None:
    """The ids of the programmes the user may see; None for an instance administrator (all)."""
    if user.is_instance_admin:
        return None
    return set(
        db.session.scalars(
            select(Membership.programme_id).where(Membership.person_id == user.person_id)
        )
    )


@dataclass(frozen=True)
class FeedFile:
    content: bytes
    filename: str


def render_feed(feed: CalendarFeed) -> FeedFile:
    """The feed's iCalendar file, with the schedule's figures as of today."""
    workstream = feed.workstream
    if workstream is None:
        person = feed.user.person
        led = select(WorkstreamLead.workstream_id).where(WorkstreamLead.person_id == person.id)
        mine = or_(Milestone.owner_id == person.id, Milestone.workstream_id.in_(led))
        seen = _programmes_seen_by(feed.user)
        if seen is not None:  # only the programmes they still belong to
            mine = mine & Milestone.programme_id.in_(seen)
        milestones = _feed_milestones(mine)
        content = ics.person_feed(person.name, milestones)
        filename = ics.file_name(person.name)
    else:
        programme = workstream.programme
        milestones = _feed_milestones(Milestone.workstream_id == workstream.id)
        content = ics.workstream_feed(programme.name, workstream.code, workstream.name, milestones)
        filename = ics.file_name(programme.slug, workstream.code)
    return FeedFile(
        ics.build_calendar(content, host=_base_host(), stamp=utcnow()),
        filename,
    )


def _feed_milestones(where: ColumnElement[bool]) -> list[ics.FeedMilestone]:
    found = list(
        db.session.scalars(
            select(Milestone)
            .where(where)
            .options(
                joinedload(Milestone.owner),
                joinedload(Milestone.workstream),
                joinedload(Milestone.programme),
            )
        )
    )
    # One schedule per programme (cached for the request), never one per milestone.
    forecasts: dict[int, dict[str, MilestoneForecast]] = {}
    for programme in {m.programme_id: m.programme for m in found}.values():
        schedule = schedule_for(programme)
        forecasts[programme.id] = schedule.forecast.milestones if schedule else {}
    links = absolute_links()
    return [_feed_milestone(m, forecasts[m.programme_id].get(m.ref), links) for m in found]


def _feed_milestone(
    m: Milestone, forecast: MilestoneForecast | None, links: MapAdapter
) -> ics.FeedMilestone:
    programme: Programme = m.programme
    url = links.build("plan.milestone", {"slug": programme.slug, "ref": m.ref}, force_external=True)
    return ics.FeedMilestone(
        id=m.id,
        ref=m.ref,
        title=m.title,
        programme_slug=programme.slug,
        programme_name=programme.name,
        workstream_code=m.workstream.code,
        workstream_name=m.workstream.name,
        owner=m.owner.name,
        status=m.status,
        due=m.due_date,
        lead_forecast=m.forecast_date,
        completed_on=m.completed_on,
        url=url,
        updated_at=m.updated_at,
        version=m.version,
        forecast=forecast.forecast_due if forecast else None,
        overdue=forecast.overdue if forecast else False,
        rag=forecast.rag if forecast else None,
        rag_reason=forecast.rag_reason if forecast else None,
    )


def absolute_links() -> MapAdapter:
    """Builds absolute links on APP_BASE_URL (a path there is where the app is mounted), for
    what is read away from any request: feeds, and the invitation emails."""
    base = urlsplit(current_app.config["APP_BASE_URL"].rstrip("/"))
    return current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )


def _base_host() -> str:
    return urlsplit(current_app.config["APP_BASE_URL"]).hostname or "localhost"


def feed_address(feed: CalendarFeed) -> str:
    """The full address to paste into Outlook."""
    return absolute_links().build("feeds.calendar", {"token": feed.token}, force_external=True)


# --- managing feeds ------------------------------------------------------------------------


def _active() -> ColumnElement[bool]:
    return CalendarFeed.revoked_at.is_(None)


def _ordered(query: ColumnElement[bool]) -> list[CalendarFeed]:
    """Person feeds first, then by programme and workstream order."""
    feeds = db.session.scalars(
        select(CalendarFeed)
        .outerjoin(Workstream, Workstream.id == CalendarFeed.workstream_id)
        .outerjoin(Programme, Programme.id == Workstream.programme_id)
        .join(User, User.id == CalendarFeed.user_id)
        .join(Person, Person.id == User.person_id)
        .where(query)
        .options(
            joinedload(CalendarFeed.user),
            joinedload(CalendarFeed.workstream).joinedload(Workstream.programme),
        )
        .order_by(
            Person.name,
            CalendarFeed.person_feed.desc(),
            Programme.name,
            Workstream.display_order,
            Workstream.code,
            CalendarFeed.id,
        )
    )
    return list(feeds)


def feeds_of(user: User) -> list[CalendarFeed]:
    """The user's feeds that still work."""
    return _ordered(_active() & (CalendarFeed.user_id == user.id))


def everyones_feeds() -> list[CalendarFeed]:
    """Every feed that still works, by owner: for admins, to stop a leaked address."""
    return _ordered(_active())


def workstream_choices(viewer: Viewer) -> list[Workstream]:
    """Every workstream of every programme the person may see (they read all of those)."""
    query = select(Workstream).join(Programme, Programme.id == Workstream.programme_id)
    if not viewer.instance_admin:
        query = query.where(Programme.id.in_(list(viewer.memberships)))
    return list(
        db.session.scalars(
            query.options(joinedload(Workstream.programme)).order_by(
                Programme.name, Workstream.display_order, Workstream.code
            )
        )
    )


def workstream_by_id(workstream_id: int) -> Workstream | None:
    return db.session.get(Workstream, workstream_id)


def create_feed(user: User, workstream: Workstream | None) -> tuple[CalendarFeed, bool]:
    """The user's feed for themselves (workstream None) or for a workstream, and whether it
    is new: one working feed each is enough, so asking again gives the same address."""
    subject = (
        CalendarFeed.person_feed.is_(True)
        if workstream is None
        else CalendarFeed.workstream_id == workstream.id
    )
    working = select(CalendarFeed).where(_active(), CalendarFeed.user_id == user.id, subject)
    existing = db.session.scalar(working.limit(1))
    if existing is not None:
        return existing, False
    feed = CalendarFeed(
        user=user,
        person_feed=workstream is None,
        workstream=workstream,
        token=new_token(),
    )
    # The database keeps one working feed of each kind (partial unique indexes): when the
    # same request made at the same moment saved one first, that one is the answer.
    try:
        with db.session.begin_nested():
            db.session.add(feed)
    except IntegrityError:
        existing = db.session.scalar(working.limit(1))
        if existing is None:
            raise
        return existing, False
    return feed, True


def feed_or_404(feed_id: int) -> CalendarFeed:
    """A feed that still works, by id (renew and revoke)."""
    feed = db.session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.id == feed_id, _active())
        .options(joinedload(CalendarFeed.user), joinedload(CalendarFeed.workstream))
    )
    if feed is None:
        abort(404, description="There is no such calendar feed, or it has been revoked.")
    return feed


NOT_YOURS = "Only the feed's owner or an instance administrator can change it."


@unit_of_work
def create_person_feed(actor: Viewer) -> tuple[CalendarFeed, bool]:
    """The acting person's feed of their own milestones, and whether it is new."""
    return create_feed(accounts.own_account(actor), None)


@unit_of_work
def create_workstream_feed(actor: Viewer, workstream_id: int | None) -> tuple[CalendarFeed, bool]:
    """The acting person's feed of a workstream of any programme they belong to, and whether
    it is new."""
    owner = accounts.own_account(actor)
    workstream = workstream_by_id(workstream_id) if workstream_id is not None else None
    if workstream is None or not permissions.can_see_programme(actor, workstream.programme_id):
        raise ValidationError([FieldError("workstream", "Choose a workstream from the list")])
    return create_feed(owner, workstream)


@unit_of_work
def renew_feed(actor: Viewer, feed_id: int) -> CalendarFeed:
    """A new address; the old one stops working at once."""
    feed = feed_or_404(feed_id)
    allow(permissions.can_change_feed(actor, feed.user.person_id), NOT_YOURS)
    feed.token = new_token()
    return feed


@unit_of_work
def revoke_feed(actor: Viewer, feed_id: int) -> CalendarFeed:
    feed = feed_or_404(feed_id)
    allow(permissions.can_change_feed(actor, feed.user.person_id), NOT_YOURS)
    feed.revoked_at = utcnow()
    return feed
