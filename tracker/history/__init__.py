"""The programme-wide audit trail: who changed what, when. Read-only."""

from tracker.history.routes import bp

__all__ = ["bp"]
