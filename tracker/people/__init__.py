"""A programme's people: the directory, roles, and invitations by email (and accepting one)."""

from tracker.people.routes import bp

__all__ = ["bp"]
