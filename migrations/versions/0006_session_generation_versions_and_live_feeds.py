"""Signing out ends the session on the server, highlights and accounts are versioned, and a
person has at most one working calendar feed of each kind.

- user_account.session_generation: counted up by signing out and deactivation; part of the
  session cookie's id, so older cookies stop working.
- user_account.version, status_update.version: optimistic locking (version_id_col), as
  milestones and risks have.
- calendar_feed: partial unique indexes over the feeds not revoked, one per person and one per
  person and workstream. Duplicates left by earlier races are revoked first (the oldest
  working feed of each kind stays).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LIVE_PERSON = 'person_feed AND revoked_at IS NULL'
LIVE = 'revoked_at IS NULL'


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    # Keep the oldest working feed of each kind per person; revoke the rest.
    op.execute(
        """
        UPDATE calendar_feed SET revoked_at = CURRENT_TIMESTAMP
        WHERE revoked_at IS NULL AND id NOT IN (
            SELECT keep FROM (
                SELECT MIN(id) AS keep FROM calendar_feed WHERE revoked_at IS NULL
                GROUP BY user_id, person_feed, workstream_id
            ) AS oldest
        )
        """
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index('uq_calendar_feed_live_person', ['user_id'], unique=True, postgresql_where=sa.text(LIVE_PERSON), sqlite_where=sa.text(LIVE_PERSON))
        batch_op.create_index('uq_calendar_feed_live_workstream', ['user_id', 'workstream_id'], unique=True, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))


def downgrade():
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index('uq_calendar_feed_live_workstream', postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
        batch_op.drop_index('uq_calendar_feed_live_person', postgresql_where=sa.text(LIVE_PERSON), sqlite_where=sa.text(LIVE_PERSON))

    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('session_generation')
