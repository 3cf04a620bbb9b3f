"""Programme pages: the list of programmes and each programme's overview."""

from tracker.main.routes import bp

__all__ = ["bp"]
