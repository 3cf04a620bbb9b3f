"""The programme office's plan edits: milestones, dependencies, baselines, go-live target."""

from tracker.plan_edits.routes import bp

__all__ = ["bp"]
