"""The plan in and out of Excel and CSV: export for everyone, import for the programme office."""

from tracker.spreadsheets.routes import bp

__all__ = ["bp"]
