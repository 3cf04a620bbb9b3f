"""The issue log (the I of RAID; risks are in tracker.risks, decisions in tracker.decisions)."""

from tracker.issues.routes import bp

__all__ = ["bp"]
