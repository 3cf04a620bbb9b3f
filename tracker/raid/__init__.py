"""The issue log and the decision log (the I and D of RAID; risks are in tracker.risks)."""

from tracker.raid.routes import bp

__all__ = ["bp"]
