"""The risk register (RAID log)."""

from tracker.risks.routes import bp

__all__ = ["bp"]
