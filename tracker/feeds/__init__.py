"""Calendar feeds (iCalendar) at secret addresses Outlook can subscribe to without signing in."""

from tracker.feeds.routes import bp

__all__ = ["bp"]
