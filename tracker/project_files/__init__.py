"""Microsoft Project in and out: a plan imported from .mpp or MSPDI (Project XML) by the
programme office (routes.py), and the programme exported as MSPDI for everyone (exports.py).

Deliberately empty: bridge.py runs as `python -m tracker.project_files.bridge` in a process
of its own, and must not load Flask, SQLAlchemy and the models to start (about a second).
The blueprint, with both modules' routes on it, is in web.py."""
