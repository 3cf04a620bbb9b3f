"""SQL statements run by the changes people make most, through the real pages and the API.

Prints one line per change: how many statements the request ran and which kinds. Run with
`.venv/bin/python bench/write_statements.py`; docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import collections
import logging
import re
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.services.seeding import load_programme_dir  # noqa: E402

LEAD = "becca.bradd@example.org"


def _api_token(email: str) -> str:
    """A personal API token for `email`, made the way the CLI makes one."""
    from tracker.services import api_tokens
    from tracker.services.accounts import user_by_email

    user = user_by_email(email)
    if hasattr(api_tokens, "make_token"):  # one unit of work (this version)
        from tracker.domain.permissions import Viewer

        secret = api_tokens.make_token(Viewer(role="admin"), "bench", owner=user).secret
    else:  # before the one write path, for the figures it is compared with
        secret = api_tokens.create_token(user, "bench").secret
        db.session.commit()
    return str(secret)


def main() -> None:
    logging.disable(logging.INFO)  # the migrations say what they run
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TRACKER_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "SEED_DIR": str(ROOT / "seed"),
                "TRACKER_TODAY": date(2022, 4, 4),
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            load_programme_dir(ROOT / "seed" / "kent-and-medway", password="x" * 12)
            db.session.remove()
            from tracker.services.accounts import user_by_email

            user_id = user_by_email(LEAD).get_id()
            token = _api_token(LEAD)
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        seen: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        changes = [
            (
                "lead completes a milestone (page)",
                "/p/kent-and-medway/milestones/PEO-05/complete",
                "PEO-05",
                {"completed_on": "2022-04-01", "evidence_text": "Signed off"},
            ),
            (
                "lead sets a forecast (page)",
                "/p/kent-and-medway/milestones/PEO-09/forecast",
                "PEO-09",
                {"forecast_date": "2022-05-20", "forecast_reason": "Consultation runs long"},
            ),
            (
                "lead completes a milestone (API)",
                "/api/v1/programmes/kent-and-medway/milestones/PEO-10/complete",
                "PEO-10",
                {"completed_on": "2022-04-01", "evidence_text": "Signed off"},
            ),
        ]
        for name, url, ref, data in changes:
            with app.app_context():
                from tracker.models import Milestone

                version = db.session.scalar(
                    db.select(Milestone.version).where(Milestone.ref == ref)
                )
                db.session.remove()
            seen.clear()
            if url.startswith("/api/"):
                # The token's first use writes its last-used time: not this change's cost.
                headers = {"Authorization": f"Bearer {token}"}
                client.get("/api/v1/programmes", headers=headers)
                seen.clear()
                response = client.post(url, json={**data, "version": version}, headers=headers)
                assert response.status_code == 200, (name, response.status_code, response.json)
            else:
                response = client.post(url, data={**data, "version": version})
                assert response.status_code == 302, (name, response.status_code)
            kinds = collections.Counter(re.match(r"\s*(\w+)", s).group(1).upper() for s in seen)
            print(f"{name}: {len(seen)} statements ({dict(kinds)})")
            if "-v" in sys.argv:
                for statement in seen:
                    print("   ", " ".join(statement.split())[:150])


if __name__ == "__main__":
    main()
