"""Loading whole programmes from the command line, one unit of work each: the seed folders
(`flask seed`) and the synthetic programmes (`flask seed synthetic`).

Both act as the programme office, since a load makes plans and accounts: the CLI passes its
operator (tracker/cli/common.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.services.seeding import SeedReport, load_programme_dir
from tracker.services.synthetic import SyntheticReport, generate_programme
from tracker.services.unit_of_work import allow, unit_of_work

NOT_AN_ADMIN = "Only an instance administrator loads programmes and their accounts."


def _may_load(actor: Viewer) -> None:
    allow(
        permissions.can_create_programme(actor) and permissions.can_manage_users(actor),
        NOT_AN_ADMIN,
    )


@unit_of_work
def load_seed(
    actor: Viewer, folder: Path, *, reset: bool = False, password: str | None = None
) -> SeedReport:
    """Load one seed folder (see tracker/services/seeding.py): all of it or, on SeedError or
    a broken rule, nothing."""
    _may_load(actor)
    return load_programme_dir(folder, reset=reset, password=password)


@unit_of_work
def load_synthetic(
    actor: Viewer,
    *,
    slug: str,
    milestones: int,
    today: date,
    seed: int,
    links_per_milestone: float,
    password: str | None,
) -> SyntheticReport:
    """Generate one synthetic programme (see tracker/services/synthetic.py).

    On PostgreSQL the planner's statistics are refreshed before the commit, as autovacuum
    would after a bulk load: without them it picks nested loops and pages take ten times as
    long. ANALYZE in the same transaction counts the rows just inserted."""
    _may_load(actor)
    report = generate_programme(
        slug=slug,
        milestones=milestones,
        today=today,
        seed=seed,
        links_per_milestone=links_per_milestone,
        password=password,
    )
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
    return report
