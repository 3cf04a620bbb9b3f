"""The plan: milestones (list and page), workstreams and the Gantt chart."""

from tracker.plan.routes import bp

__all__ = ["bp"]
