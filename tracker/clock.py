"""The app's notion of today: the real date in London unless TRACKER_TODAY pins one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")


def pinned_today() -> date | None:
    """The day TRACKER_TODAY pins "today" to (the demo, tests), or None for the real date.
    Only the date is pinned: the times of changes are always the real ones."""
    pinned: date | None = current_app.config.get("TRACKER_TODAY") or None
    return pinned


def today() -> date:
    return pinned_today() or datetime.now(LONDON).date()
