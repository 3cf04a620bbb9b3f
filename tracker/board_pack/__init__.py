"""The board pack: the transition board's paper as a page and a PDF, for every member of the
programme to read (services/board_pack.py makes it; docs/board-pack.md)."""

from tracker.board_pack.routes import bp

__all__ = ["bp"]
