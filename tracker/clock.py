"""The app's notion of today: the real date in London unless TRACKER_TODAY pins one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    pinned = current_app.config.get("TRACKER_TODAY")
    if pinned:
        return pinned
    return datetime.now(LONDON).date()
