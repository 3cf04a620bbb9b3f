"""Command-line work: `flask --app wsgi seed ...`, `users ...`, `digest send`, `programme ...`,
`schedule risk`, `plan import-project`.

Each command that changes anything calls one unit of work (tracker/services/unit_of_work.py)
and commits nothing itself. The commands act as the operator (common.OPERATOR): whoever runs
them has the server and its database, so they act as the programme office.
"""

from __future__ import annotations

from flask import Flask

from tracker.cli import digest, health, plan, programme, schedule, seed, users


def register(app: Flask) -> None:
    app.cli.add_command(seed.seed)
    app.cli.add_command(users.users)
    app.cli.add_command(digest.digest)
    health.register(programme.programme)
    app.cli.add_command(programme.programme)
    app.cli.add_command(schedule.schedule)
    app.cli.add_command(plan.plan)
