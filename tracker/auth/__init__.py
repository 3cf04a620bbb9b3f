"""Signing in and out, and changing your own password."""

from tracker.auth.routes import bp

__all__ = ["bp"]
