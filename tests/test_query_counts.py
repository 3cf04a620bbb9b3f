"""No N+1 queries: the board's pages and the API's lists run as many SQL statements for a
programme of 120 milestones as for one of 30."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN
from tracker.extensions import db
from tracker.services import api_tokens
from tracker.services.accounts import user_by_email
from tracker.services.board import schedules
from tracker.services.synthetic import generate_programme

PAGES = [
    "/p/{slug}/",
    "/p/{slug}/gantt",
    "/p/{slug}/milestones/",
    "/p/{slug}/milestones/?overdue=1&sort=float",
    "/p/{slug}/workstreams/{code}",
    "/p/{slug}/risks/",
    "/p/{slug}/history",
    "/api/v1/programmes/{slug}/milestones?per_page=200",
    "/api/v1/programmes/{slug}/dependencies?per_page=200",
    "/api/v1/programmes/{slug}/workstreams",
    "/api/v1/programmes/{slug}/risks",
    "/api/v1/programmes/{slug}/status-updates",
]


@pytest.fixture()
def programmes(app: Flask) -> dict[str, str]:
    """Two synthetic programmes, small and four times bigger: slug -> a workstream code."""
    made = {}
    for slug, size in (("small", 30), ("large", 120)):
        report = generate_programme(slug=slug, milestones=size, today=date(2022, 4, 4), seed=7)
        made[report.slug] = "PEO"
    db.session.commit()
    return made


def test_queries_do_not_grow_with_milestones(
    admin_client: FlaskClient, programmes: dict[str, str], statements: list[str]
) -> None:
    token = api_tokens.create_token(user_by_email(ADMIN), "query counts").secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    counts: dict[str, dict[str, int]] = {}
    # Twice round: the first time also does once-only work (the token's last use is written,
    # the signed-in user is loaded into the session), which is not what is compared.
    for _ in range(2):
        for slug, code in programmes.items():
            for page in PAGES:
                url = page.format(slug=slug, code=code)
                schedules.clear()  # each page works its schedule out, as after a change
                # An empty session, as each request in production has (here the test's
                # session outlives requests, and what it still holds depends on the GC).
                db.session.expunge_all()
                statements.clear()
                response = admin_client.get(url, headers=headers if "/api/" in url else {})
                assert response.status_code == 200, (url, response.status_code)
                counts.setdefault(page, {})[slug] = len(statements)
    assert all(n["small"] > 0 for n in counts.values())
    grew = {page: n for page, n in counts.items() if n["small"] != n["large"]}
    assert not grew, f"statements per page, small vs large programme: {grew}"
