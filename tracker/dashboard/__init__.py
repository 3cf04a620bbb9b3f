"""The board's dashboard: is go-live safe, and where is the trouble?"""

from tracker.dashboard.routes import bp

__all__ = ["bp"]
