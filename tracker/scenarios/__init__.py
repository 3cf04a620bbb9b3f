"""What-if scenarios: a member's hypothetical edits to the plan, what they do to go-live, two
side by side, the quick question from a milestone page, and applying one to the plan."""

from tracker.scenarios.routes import bp

__all__ = ["bp"]
