"""Personal API tokens: create, list and revoke."""

from tracker.tokens.routes import bp

__all__ = ["bp"]
