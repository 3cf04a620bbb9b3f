"""The decision log (the D of RAID)."""

from tracker.decisions.routes import bp

__all__ = ["bp"]
