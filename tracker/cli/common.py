"""What the commands share: who they act as, and how a refused change is reported."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from tracker.audit import Actor, acting_as
from tracker.domain.permissions import Viewer
from tracker.services.unit_of_work import ChangeRefused

# The person the services see acting on the command line: the operator, who runs the server
# and could change the database directly, so an instance administrator (an admin of every
# programme). Nobody in
# particular (person_id None), so the checks that stop an admin locking themselves out in
# the app (their own admin role, their own account) do not apply. The audit trail names the
# command, not a person: "cli" or "seed".
OPERATOR = Viewer(instance_admin=True)


@contextlib.contextmanager
def saving(actor: str = "cli") -> Iterator[None]:
    """Changes inside are recorded as made by `actor`; when the unit of work refuses the
    change every problem is printed, nothing is saved and the command exits non-zero."""
    try:
        with acting_as(Actor(actor)):
            yield
    except ChangeRefused as refused:
        for error in refused.errors:
            click.echo(f"Error: {error.field}: {error.message}", err=True)
        if not refused.errors:
            click.echo(f"Error: {refused.message}", err=True)
        raise click.exceptions.Exit(1) from refused
