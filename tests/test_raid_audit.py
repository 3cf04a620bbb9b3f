"""RAID records are in the audit trail, including links kept in association tables."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, Risk, RiskAction


def test_a_risks_milestones_and_actions_are_audited(app: Flask) -> None:
    risk = db.session.scalar(select(Risk).where(Risk.ref == "R03"))
    seeded = [m.ref for m in risk.milestones]  # FMD-07, PEO-05 in the seed

    def refs(*added: str) -> str:
        return ", ".join(sorted([*seeded, *added]))

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
        select(AuditEvent)
        .where(AuditEvent.field == "milestones", AuditEvent.actor == "Sarah Collins")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.entity_label, e.old_value, e.new_value) for e in links] == [
        (risk.audit_label, refs() or "none", refs("PEO-09")),
        (risk.audit_label, refs("PEO-09"), refs("PEO-14")),
    ]
    action = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "RiskAction", AuditEvent.actor == "Sarah Collins"
        )
    ).one()
    assert action.action == "create" and action.actor == "Sarah Collins"
    assert (action.programme_id, action.workstream_id) == (risk.programme_id, risk.workstream_id)
