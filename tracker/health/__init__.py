"""Plan health: checks modelled on the DCMA 14-point schedule assessment, for every member to
read, and the thresholds they are judged by, for the programme's admins to set."""

from tracker.health.routes import bp

__all__ = ["bp"]
