"""The weekly digest in the app (admin): preview what a person would get, and the ledger of
runs and deliveries."""

from tracker.digests.routes import bp

__all__ = ["bp"]
