"""Admins manage user accounts: create, role, workstreams led, deactivate, reset password."""

from tracker.users.routes import bp

__all__ = ["bp"]
