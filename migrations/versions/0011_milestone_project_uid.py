"""Microsoft Project import (issue 22).

- milestone.project_uid: the task's UID in the Project file the milestone came from,
  unique per programme, so a newer file's import matches its tasks to the milestones.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_uid', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_milestone_programme_id_project_uid'), ['programme_id', 'project_uid'])


def downgrade():
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_milestone_programme_id_project_uid'), type_='unique')
        batch_op.drop_column('project_uid')
