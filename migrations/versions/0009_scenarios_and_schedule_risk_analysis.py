"""What-if scenarios and schedule risk analysis (issue 20).

- scenario: a member's named set of hypothetical edits to a programme's plan (JSON), private
  until shared, with the plan version and plan it was made on.
- risk_analysis_result: schedule risk analyses worked out for a plan version, shared by every
  worker (a cache, not audited).
- milestone.optimistic_days / likely_days / pessimistic_days: a three-point estimate in
  working days, all three or none, in order.
- risk.impact_days: working days its milestones slip if it happens (1 to 260).
- programme.risk_defaults: the schedule risk analysis defaults it changed (JSON).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('risk_analysis_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_risk_analysis_result_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_analysis_result')),
    sa.UniqueConstraint('programme_id', 'key', name=op.f('uq_risk_analysis_result_programme_id_key'))
    )
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('edits', sa.JSON(), nullable=False),
    sa.Column('based_on_version', sa.String(length=16), nullable=False),
    sa.Column('based_on', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_scenario_owner_id_person')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_scenario_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario')),
    sa.UniqueConstraint('programme_id', 'owner_id', 'name', name=op.f('uq_scenario_programme_id_owner_id_name'))
    )
    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scenario_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('optimistic_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('likely_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pessimistic_days', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'three_point_in_order',
            '(optimistic_days IS NULL AND likely_days IS NULL AND pessimistic_days IS NULL)'
            ' OR (optimistic_days IS NOT NULL AND likely_days IS NOT NULL'
            ' AND pessimistic_days IS NOT NULL'
            ' AND optimistic_days <= likely_days AND likely_days <= pessimistic_days)',
        )

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_defaults', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('impact_days', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'impact_days_in_range', 'impact_days IS NULL OR impact_days BETWEEN 1 AND 260'
        )



def downgrade():
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_risk_impact_days_in_range'), type_='check')
        batch_op.drop_column('impact_days')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('risk_defaults')

    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_milestone_three_point_in_order'), type_='check')
        batch_op.drop_column('pessimistic_days')
        batch_op.drop_column('likely_days')
        batch_op.drop_column('optimistic_days')

    with op.batch_alter_table('scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_programme_id'))
        batch_op.drop_index(batch_op.f('ix_scenario_owner_id'))

    op.drop_table('scenario')
    op.drop_table('risk_analysis_result')
