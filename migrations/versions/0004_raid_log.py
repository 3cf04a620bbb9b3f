"""The RAID log: risks linked to milestones, mitigating actions and reviews; the issue log;
the decision log and the milestones decisions concern.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('forum', sa.String(length=120), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_decision_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_decision_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('programme_id', 'ref', name=op.f('uq_decision_programme_id_ref'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_programme_id'), ['programme_id'], unique=False)

    op.create_table('decision_milestone',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_milestone_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_decision_milestone_milestone_id_milestone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', 'milestone_id', name=op.f('pk_decision_milestone'))
    )
    with op.batch_alter_table('decision_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_milestone_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('workstream_id', sa.Integer(), nullable=True),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('risk_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_issue_status_known')),
    sa.CheckConstraint('closed_on IS NULL OR closed_on >= raised_on', name=op.f('ck_issue_closed_after_raised')),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_issue_owner_id_person')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_issue_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_issue_risk_id_risk'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workstream_id'], ['workstream.id'], name=op.f('fk_issue_workstream_id_workstream'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue')),
    sa.UniqueConstraint('programme_id', 'ref', name=op.f('uq_issue_programme_id_ref'))
    )
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_workstream_id'), ['workstream_id'], unique=False)

    op.create_table('risk_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_risk_action_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_action_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_action'))
    )
    with op.batch_alter_table('risk_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_action_risk_id'), ['risk_id'], unique=False)

    op.create_table('risk_milestone',
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_risk_milestone_milestone_id_milestone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_milestone_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('risk_id', 'milestone_id', name=op.f('pk_risk_milestone'))
    )
    with op.batch_alter_table('risk_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_milestone_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('risk_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('consequence', sa.Integer(), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('consequence BETWEEN 1 AND 5', name=op.f('ck_risk_review_consequence_1_to_5')),
    sa.CheckConstraint('likelihood BETWEEN 1 AND 5', name=op.f('ck_risk_review_likelihood_1_to_5')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['person.id'], name=op.f('fk_risk_review_reviewer_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_review_risk_id_risk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_review'))
    )
    with op.batch_alter_table('risk_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_review_risk_id'), ['risk_id'], unique=False)



def downgrade():
    with op.batch_alter_table('risk_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_review_risk_id'))

    op.drop_table('risk_review')
    with op.batch_alter_table('risk_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_milestone_milestone_id'))

    op.drop_table('risk_milestone')
    with op.batch_alter_table('risk_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_action_risk_id'))

    op.drop_table('risk_action')
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_workstream_id'))
        batch_op.drop_index(batch_op.f('ix_issue_programme_id'))
        batch_op.drop_index(batch_op.f('ix_issue_owner_id'))

    op.drop_table('issue')
    with op.batch_alter_table('decision_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_milestone_milestone_id'))

    op.drop_table('decision_milestone')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_programme_id'))

    op.drop_table('decision')
