"""A programme's administration: its details, calendar and closures, and its workstreams."""

from tracker.programme_admin.routes import bp

__all__ = ["bp"]
