"""A calendar feed at its secret address. The token is the only credential: no session is
read or set, and unknown and revoked addresses get the same answer."""

from __future__ import annotations

from flask import Blueprint, Response

from tracker.services import calendar_feeds

bp = Blueprint("feeds", __name__)

NOT_FOUND = "There is no calendar feed at this address. Its owner may have renewed or revoked it.\n"


@bp.get("/calendar/<token>.ics")
def calendar(token: str) -> Response:
    feed = calendar_feeds.feed_by_token(token)
    if feed is None:
        # Plain text rather than the error page: nothing here may start a session.
        return Response(NOT_FOUND, status=404, mimetype="text/plain")
    made = calendar_feeds.render_feed(feed)
    response = Response(made.content, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    # Only the subscriber's own cache, and briefly: a renewed or revoked address must stop
    # working soon, and calendar programs fetch hourly at most anyway.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
