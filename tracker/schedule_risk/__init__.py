"""Schedule risk analysis: the chance of making the go-live target, for every member of the
programme to read (services/schedule_risk.py works it out; docs/risk-analysis.md)."""

from tracker.schedule_risk.routes import bp

__all__ = ["bp"]
