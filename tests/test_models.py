"""Constraints and validation: a clear message for people, and the database as the backstop."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit import Actor, acting_as
from tracker.domain.validation import ValidationError
from tracker.extensions import db
from tracker.models import AuditEvent, Dependency, Milestone, Person, Programme, Risk, Workstream
from tracker.services.plan import add_dependency


def kent_and_medway() -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.slug == "kent-and-medway"))


def first_open_pair() -> tuple[Milestone, Milestone]:
    """Two milestones with no link between them in either direction."""
    linked = {
        (p, s)
        for p, s in db.session.execute(
            sa.select(Dependency.predecessor_id, Dependency.successor_id)
        )
    }
    ms = db.session.scalars(sa.select(Milestone).order_by(Milestone.due_date)).all()
    for a in ms:
        for b in ms:
            unlinked = (a.id, b.id) not in linked and (b.id, a.id) not in linked
            if a.id != b.id and unlinked and a.due_date < b.due_date:
                return a, b
    raise AssertionError("no unlinked pair")


def other_programme() -> tuple[Programme, Milestone]:
    owner = db.session.scalar(sa.select(Person).limit(1))
    programme = Programme(
        slug="other",
        name="Another transition",
        from_organisation="NHS Somewhere CCG",
        to_organisation="NHS Somewhere ICB",
        start_date=date(2021, 7, 1),
        go_live_date=date(2022, 7, 1),
    )
    ws = Workstream(programme=programme, code="GOV", name="Governance")
    m = Milestone(
        programme=programme,
        workstream=ws,
        ref="GOV-01",
        title="Constitution",
        owner=owner,
        kind="point",
        due_date=date(2022, 5, 3),
    )
    db.session.add_all([programme, ws, m])
    db.session.flush()
    return programme, m


def test_due_date_before_planned_start_is_refused_with_a_clear_message(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone).where(Milestone.kind == "activity")).first()
    assert m is not None
    m.due_date = date(2021, 1, 4)
    with pytest.raises(ValidationError) as caught:
        db.session.flush()
    assert "due_date" in caught.value.messages()
    assert "is before the planned start" in caught.value.messages()["due_date"]
    assert "4 January 2021" in str(caught.value)
    db.session.rollback()


def test_database_refuses_due_before_start_even_without_the_app(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone).where(Milestone.kind == "activity")).first()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Milestone.__table__)
            .where(Milestone.__table__.c.id == m.id)
            .values(due_date=date(2000, 1, 3))
        )


def test_self_dependency_is_refused(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone)).first()
    with pytest.raises(ValidationError, match=f"{m.ref} cannot depend on itself"):
        add_dependency(m, m)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.insert(Dependency.__table__).values(
                programme_id=m.programme_id,
                predecessor_id=m.id,
                successor_id=m.id,
                type="FS",
                lag_days=0,
                created_at=sa.func.current_timestamp(),
                updated_at=sa.func.current_timestamp(),
            )
        )


def test_duplicate_dependency_is_refused_but_a_second_type_is_allowed(app: Flask) -> None:
    link = db.session.scalars(sa.select(Dependency)).first()
    pred, succ = link.predecessor, link.successor
    with pytest.raises(ValidationError, match=f"{succ.ref} already depends on {pred.ref}"):
        add_dependency(pred, succ, link.type, 3)
    other_type = next(t for t in ("SS", "FF", "FS") if t != link.type)
    added = add_dependency(pred, succ, other_type, 2)
    db.session.flush()
    assert added.id is not None
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.insert(Dependency.__table__).values(
                programme_id=pred.programme_id,
                predecessor_id=pred.id,
                successor_id=succ.id,
                type=link.type,
                lag_days=0,
                created_at=sa.func.current_timestamp(),
                updated_at=sa.func.current_timestamp(),
            )
        )


def test_dependency_across_programmes_is_refused(app: Flask) -> None:
    _, foreign = other_programme()
    local = db.session.scalars(
        sa.select(Milestone).where(Milestone.programme_id == kent_and_medway().id)
    ).first()
    with pytest.raises(ValidationError, match="same programme"):
        add_dependency(local, foreign)
    # The database refuses it too: both ends must be in the dependency's programme.
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.insert(Dependency.__table__).values(
                programme_id=local.programme_id,
                predecessor_id=local.id,
                successor_id=foreign.id,
                type="FS",
                lag_days=0,
                created_at=sa.func.current_timestamp(),
                updated_at=sa.func.current_timestamp(),
            )
        )


def test_a_link_that_closes_a_cycle_is_refused_naming_the_cycle(app: Flask) -> None:
    link = db.session.scalars(sa.select(Dependency).where(Dependency.type == "FS")).first()
    pred, succ = link.predecessor, link.successor
    with pytest.raises(ValidationError) as caught:
        add_dependency(succ, pred)
    message = str(caught.value)
    assert "would create a cycle" in message
    assert f"{pred.ref} -> {succ.ref}" in message


def test_unlinked_milestones_can_be_linked(app: Flask) -> None:
    a, b = first_open_pair()
    add_dependency(a, b, "FS", -2)
    db.session.commit()
    assert any(d.predecessor_id == a.id for d in b.predecessor_links)


@pytest.mark.parametrize("field", ["consequence", "likelihood", "target_likelihood"])
@pytest.mark.parametrize("value", [0, 6])
def test_risk_scores_outside_1_to_5_are_refused(app: Flask, field: str, value: int) -> None:
    risk = db.session.scalars(sa.select(Risk)).first()
    setattr(risk, field, value)
    with pytest.raises(ValidationError) as caught:
        db.session.flush()
    assert caught.value.messages()[field] == f"{value} is outside 1 to 5"
    db.session.rollback()


def test_database_refuses_a_consequence_of_6(app: Flask) -> None:
    risk = db.session.scalars(sa.select(Risk)).first()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Risk.__table__).where(Risk.__table__.c.id == risk.id).values(consequence=6)
        )


def test_review_date_before_raised_date_is_refused(app: Flask) -> None:
    risk = db.session.scalars(sa.select(Risk)).first()
    risk.review_on = date(2020, 1, 1)
    with pytest.raises(ValidationError, match="is before the date raised"):
        db.session.flush()
    db.session.rollback()


def test_complete_milestone_needs_a_completion_date_and_key_ones_evidence(app: Flask) -> None:
    m = db.session.scalars(
        sa.select(Milestone).where(Milestone.status != "complete", Milestone.is_key.is_(True))
    ).first()
    m.status = "complete"
    with pytest.raises(ValidationError) as caught:
        db.session.flush()
    messages = caught.value.messages()
    assert messages["completed_on"] == "Enter the date it was completed"
    assert (
        messages["evidence_text"]
        == "Give evidence of completion: this is a key milestone the board tracks"
    )
    db.session.rollback()


def test_blocked_needs_a_reason(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone).where(Milestone.status == "not_started")).first()
    m.status = "blocked"
    with pytest.raises(ValidationError, match="Say why the milestone is blocked"):
        db.session.flush()
    db.session.rollback()


def test_every_change_is_in_the_audit_trail_with_old_and_new_values(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone).where(Milestone.status == "not_started")).first()
    old_due = m.due_date
    with acting_as(Actor("Programme office")):
        m.due_date = date(2022, 6, 30)
        m.forecast_date = None
        db.session.commit()
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "Milestone",
            AuditEvent.entity_id == m.id,
            AuditEvent.action == "update",
        )
    ).all()
    due = [e for e in events if e.field == "due_date"]
    assert len(due) == 1
    assert (due[0].old_value, due[0].new_value) == (old_due.isoformat(), "2022-06-30")
    assert due[0].actor == "Programme office"
    assert due[0].programme_id == m.programme_id
    assert due[0].workstream_id == m.workstream_id
    assert due[0].entity_label.startswith(m.ref)


def test_owner_changes_are_recorded_by_name(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone)).first()
    new_owner = db.session.scalars(sa.select(Person).where(Person.id != m.owner_id)).first()
    old_name = m.owner.name
    m.owner = new_owner
    db.session.commit()
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "Milestone",
            AuditEvent.entity_id == m.id,
            AuditEvent.field == "owner_id",
        )
    ).one()
    assert (event.old_value, event.new_value) == (old_name, new_owner.name)


def test_creating_and_deleting_a_dependency_is_audited(app: Flask) -> None:
    a, b = first_open_pair()
    link = add_dependency(a, b, "SS", 5)
    db.session.commit()
    link_id = link.id
    db.session.delete(link)
    db.session.commit()
    actions = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.entity_label).where(
            AuditEvent.entity_type == "Dependency", AuditEvent.entity_id == link_id
        )
    ).all()
    assert [a for a, _ in actions] == ["create", "delete"]
    assert actions[0][1] == f"{a.ref}SS+5 -> {b.ref}"


def test_a_save_based_on_an_old_version_is_refused(app: Flask) -> None:
    m = db.session.scalars(sa.select(Milestone)).first()
    version = m.version
    # Someone else saves first.
    db.session.execute(
        sa.update(Milestone.__table__)
        .where(Milestone.__table__.c.id == m.id)
        .values(version=version + 1, title="Changed meanwhile")
    )
    m.description = "My edit"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("email", ["no-at-sign.example.org", "name@example", "two@@example.org"])
def test_a_person_needs_a_real_email_address_whoever_saves_them(app: Flask, email: str) -> None:
    """The one email rule (email-validator, domain/validation.py) holds for the seed, imports
    and the CLI as for the pages: it runs at every flush."""
    db.session.add(Person(name="Someone", email=email))
    with pytest.raises(ValidationError, match="is not an email address, like name@example.org"):
        db.session.flush()
    db.session.rollback()
