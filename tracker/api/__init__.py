"""The JSON API under /api/v1: personal bearer tokens, the same role rules as the pages."""

from tracker.api.routes import bp

__all__ = ["bp"]
