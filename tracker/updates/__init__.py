"""The lead's workflow: "My workstreams", ticking off, forecasts, blocks, weekly highlights."""

from tracker.updates.routes import bp

__all__ = ["bp"]
