"""Your calendar feeds for Outlook: their secret addresses, renew and revoke.

Any signed-in user may have a feed of their own milestones and feeds of any workstream
(everyone signed in reads every plan anyway). Only a feed's owner, or an admin, may renew or
revoke it: each POST is one unit of work in tracker/services/calendar_feeds.py, which checks
that. The feeds themselves are served by the `feeds` blueprint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.calendars.forms import FeedActionForm, WorkstreamFeedForm, workstream_label
from tracker.form_errors import attempt, flash_refusal
from tracker.security import current_viewer
from tracker.services import calendar_feeds
from tracker.services.unit_of_work import ChangeRefused

if TYPE_CHECKING:
    from tracker.models import CalendarFeed, User

bp = Blueprint("calendars", __name__, url_prefix="/account/calendar")


def _me() -> User:
    user: User = current_user._get_current_object()  # the User itself, not the proxy
    return user


def _what(feed: CalendarFeed) -> str:
    """'your milestones' or 'the PEO workstream', for messages."""
    mine = feed.user_id == _me().id
    if feed.workstream is None:
        return "your milestones" if mine else f"{feed.user.name}'s milestones"
    what = f"the {feed.workstream.code} workstream"
    return what if mine else f"{feed.user.name}'s feed of {what}"


def _page(form: WorkstreamFeedForm, several_programmes: bool) -> str:
    """The page; `form` keeps what was chosen, and its errors, after a refused POST."""
    me = _me()
    feeds = calendar_feeds.feeds_of(me)
    others = []
    if current_viewer().instance_admin:
        others = [f for f in calendar_feeds.everyones_feeds() if f.user_id != me.id]
    return render_template(
        "calendars/index.html",
        form=form,
        person_feed=next((f for f in feeds if f.workstream is None), None),
        workstream_feeds=[f for f in feeds if f.workstream is not None],
        others=others,
        address=calendar_feeds.feed_address,
        several_programmes=several_programmes,
    )


def _workstream_form() -> tuple[WorkstreamFeedForm, bool]:
    """The form to choose a workstream, and whether there are several programmes."""
    workstreams = calendar_feeds.workstream_choices(current_viewer())
    form = WorkstreamFeedForm()
    form.set_workstream_choices(workstreams)
    return form, len({ws.programme_id for ws in workstreams}) > 1


@bp.get("")
def index() -> str:
    return _page(*_workstream_form())


@bp.post("/my-feed")
def create_my_feed() -> Response:
    try:
        feed, created = calendar_feeds.create_person_feed(current_viewer())
    except ChangeRefused as refused:
        flash_refusal(refused, "Your calendar feed")
        return redirect(url_for("calendars.index"))
    if created:
        flash("Your calendar feed is ready: copy its address into Outlook.", "success")
    else:
        flash("You already have a calendar feed: its address is below.", "info")
    return redirect(url_for("calendars.index") + f"#feed-{feed.id}")


@bp.post("/workstream-feeds")
def create_workstream_feed() -> str | Response:
    form, several_programmes = _workstream_form()
    done = attempt(
        form, lambda: calendar_feeds.create_workstream_feed(current_viewer(), form.workstream.data)
    )
    if done.saved:
        feed, created = done.result
        assert feed.workstream is not None
        label = workstream_label(feed.workstream, several_programmes)
        if created:
            flash(f"Your calendar feed of {label} is ready: copy its address.", "success")
        else:
            flash(f"You already have a calendar feed of {label}: see below.", "info")
        return redirect(url_for("calendars.index") + f"#feed-{feed.id}")
    return _page(form, several_programmes)


def _posted_feed() -> int:
    """The id of the feed the button is for."""
    form = FeedActionForm()
    if not form.validate_on_submit() or form.feed.data is None:
        abort(400, description="Say which calendar feed.")
    feed_id: int = form.feed.data
    return feed_id


@bp.post("/renew")
def renew() -> Response:
    try:
        feed = calendar_feeds.renew_feed(current_viewer(), _posted_feed())
    except ChangeRefused as refused:
        flash_refusal(refused, "The calendar feed")
        return redirect(url_for("calendars.index"))
    flash(
        f"The calendar feed of {_what(feed)} has a new address. The old one has stopped "
        "working: subscribe in Outlook again with the new one.",
        "success",
    )
    return redirect(url_for("calendars.index") + f"#feed-{feed.id}")


@bp.post("/revoke")
def revoke() -> Response:
    try:
        feed = calendar_feeds.revoke_feed(current_viewer(), _posted_feed())
    except ChangeRefused as refused:
        flash_refusal(refused, "The calendar feed")
        return redirect(url_for("calendars.index"))
    flash(
        f"Revoked the calendar feed of {_what(feed)}: its address has stopped working. "
        "Remove the calendar from Outlook.",
        "success",
    )
    return redirect(url_for("calendars.index"))
