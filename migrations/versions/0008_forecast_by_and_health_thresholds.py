"""Who entered a milestone's forecast; a programme's plan health thresholds.

- milestone.forecast_by_id: the person who entered the forecast (a lead or an admin), which
  need not be the owner. Existing forecasts take it from the audit trail where it names a
  person: the latest change that set forecast_date.
- programme.health_thresholds: the plan health thresholds a programme changed from the DCMA
  defaults, by check key (JSON; empty means every default).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forecast_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_milestone_forecast_by_id_person'), 'person', ['forecast_by_id'], ['id'],
            ondelete='SET NULL',
        )
    # Existing forecasts: whoever last set forecast_date, where the audit trail names an
    # account (changes made by the seed or the CLI name none, and stay unknown).
    op.execute(
        """
        UPDATE milestone SET forecast_by_id = (
            SELECT ua.person_id FROM audit_event ae
            JOIN user_account ua ON ua.id = ae.user_id
            WHERE ae.entity_type = 'Milestone' AND ae.entity_id = milestone.id
              AND ae.field = 'forecast_date' AND ae.new_value IS NOT NULL
            ORDER BY ae.occurred_at DESC, ae.id DESC LIMIT 1
        )
        WHERE forecast_date IS NOT NULL
        """
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('health_thresholds', sa.JSON(), server_default='{}', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('health_thresholds')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_milestone_forecast_by_id_person'), type_='foreignkey')
        batch_op.drop_column('forecast_by_id')
