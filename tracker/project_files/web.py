"""The Microsoft Project blueprint, with the import's and the export's routes on it."""

from tracker.project_files import exports  # noqa: F401 (its routes are on the same blueprint)
from tracker.project_files.routes import bp

__all__ = ["bp"]
