"""RAID records are in the audit trail, including links kept in association tables."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, Risk, RiskAction


def test_a_risks_milestones_and_actions_are_audited(app: Flask) -> None:
    risk = db.session.scalar(select(Risk).where(Risk.ref == "R03"))
    peo_09, peo_14 = db.session.scalars(
        select(Milestone).where(Milestone.ref.in_(["PEO-09", "PEO-14"])).order_by(Milestone.ref)
    ).all()
    with acting_as(Actor("Sarah Collins")):
        risk.milestones.append(peo_09)
        db.session.commit()
        risk.milestones.append(peo_14)
        risk.milestones.remove(peo_09)
        risk.actions.append(RiskAction(description="Escalate to NHS England"))
        db.session.commit()
    links = db.session.scalars(
        select(AuditEvent).where(AuditEvent.field == "milestones").order_by(AuditEvent.id)
    ).all()
    assert [(e.entity_label, e.old_value, e.new_value) for e in links] == [
        (risk.audit_label, "none", "PEO-09"),
        (risk.audit_label, "PEO-09", "PEO-14"),
    ]
    action = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "RiskAction")
    ).one()
    assert action.action == "create" and action.actor == "Sarah Collins"
    assert (action.programme_id, action.workstream_id) == (risk.programme_id, risk.workstream_id)
