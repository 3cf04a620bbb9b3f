"""Calendar feeds in Outlook: your secret feed addresses, revoke and renew."""

from tracker.calendars.routes import bp

__all__ = ["bp"]
