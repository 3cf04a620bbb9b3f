"""Roles per programme, invitations, saved templates, retired workstreams.

- membership: a person's role in one programme (admin, lead, board, viewer). It replaces
  user_account.role. Today's accounts keep working: an admin becomes an instance
  administrator and an admin of every existing programme; a lead becomes a lead of every
  existing programme (leading the workstreams they lead now: workstream_lead is unchanged);
  a board member sits on every existing programme's board.
- invitation: single-use links inviting someone into a programme with a role.
- saved_template: programmes saved as templates.
- programme.template_key, workstream.retired_on.

Downgrading gives each account the highest role it holds in any programme.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('times_sent', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'lead', 'board', 'viewer')", name=op.f('ck_invitation_role_known')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['person.id'], name=op.f('fk_invitation_invited_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invitation_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_invitation_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_invitation_token_digest'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_programme_id'), ['programme_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'lead', 'board', 'viewer')", name=op.f('ck_membership_role_known')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_membership_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_membership_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('person_id', 'programme_id', name=op.f('uq_membership_person_id_programme_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_programme_id'), ['programme_id'], unique=False)

    op.create_table('saved_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('made_from_id', sa.Integer(), nullable=True),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['made_from_id'], ['programme.id'], name=op.f('fk_saved_template_made_from_id_programme'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['person.id'], name=op.f('fk_saved_template_saved_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_template')),
    sa.UniqueConstraint('key', name=op.f('uq_saved_template_key'))
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_key', sa.String(length=60), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_instance_admin', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.execute("UPDATE user_account SET is_instance_admin = (role = 'admin')")
    op.execute(
        """
        INSERT INTO membership (person_id, programme_id, role, version, created_at, updated_at)
        SELECT u.person_id, p.id, u.role, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM user_account AS u CROSS JOIN programme AS p
        """
    )

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_account_role_known'), type_='check')
        batch_op.drop_column('role')

    with op.batch_alter_table('workstream', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_on', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('workstream', schema=None) as batch_op:
        batch_op.drop_column('retired_on')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=10), server_default='board', nullable=False))

    op.execute(
        """
        UPDATE user_account SET role = CASE
            WHEN is_instance_admin THEN 'admin'
            WHEN EXISTS (SELECT 1 FROM membership AS m
                         WHERE m.person_id = user_account.person_id AND m.role = 'admin') THEN 'admin'
            WHEN EXISTS (SELECT 1 FROM membership AS m
                         WHERE m.person_id = user_account.person_id AND m.role = 'lead') THEN 'lead'
            ELSE 'board' END
        """
    )

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('role', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_user_account_role_known'), "role IN ('admin', 'lead', 'board')")
        batch_op.drop_column('is_instance_admin')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('template_key')

    op.drop_table('saved_template')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_programme_id'))

    op.drop_table('membership')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_programme_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_person_id'))

    op.drop_table('invitation')
