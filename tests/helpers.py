"""Small helpers the test modules share: finding seeded records in the test's database, counting
rows, and reading pages. Each asserts that what it looks for is there, so a test fails at the
look-up, naming what was missing, rather than later on a None."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, Person, Programme, User, Workstream
from tracker.services.accounts import user_by_email

SEED_SLUG = "kent-and-medway"


# --- records ---------------------------------------------------------------------------------


def milestone(ref: str) -> Milestone:
    found = db.session.scalar(select(Milestone).where(Milestone.ref == ref))
    assert found is not None, ref
    return found


def fresh_milestone(ref: str) -> Milestone:
    """The milestone as the database has it now (after requests that changed it)."""
    db.session.expire_all()
    return milestone(ref)


def programme(slug: str = SEED_SLUG) -> Programme:
    found = db.session.scalar(select(Programme).where(Programme.slug == slug))
    assert found is not None, slug
    return found


def user(email: str) -> User:
    found = user_by_email(email)
    assert found is not None, email
    return found


def join(email: str, slug: str, role: str) -> None:
    """Make the person with this email a member of the programme, committed (as a programme
    admin would on the people page)."""
    from tracker.services.memberships import join as add_member

    person = db.session.scalar(select(Person).where(Person.email == email))
    assert person is not None, email
    add_member(person, programme(slug), role)
    db.session.commit()


def user_id(email: str) -> int:
    return user(email).id


def workstream_id(code: str) -> int:
    found = db.session.scalar(select(Workstream.id).where(Workstream.code == code))
    assert found is not None, code
    return found


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def audit_count() -> int:
    return count(AuditEvent)


# --- pages -----------------------------------------------------------------------------------


def page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def soup(client: FlaskClient, url: str) -> BeautifulSoup:
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.text, "html.parser")


def error_for(html: BeautifulSoup, field_id: str) -> str:
    """The message next to a field, without its visually hidden "Error:"."""
    message = html.find(id=f"{field_id}-error")
    assert message is not None, f"no error next to {field_id}"
    return str(message.get_text(" ", strip=True)).removeprefix("Error: ")


def pdf_text(data: bytes) -> str:
    """A PDF's text as poppler-utils' pdftotext reads it, pages kept in layout order."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext is missing: `make poppler` installs Debian's poppler-utils")
    done = subprocess.run(
        [pdftotext, "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")
