"""Issued board packs (issue 21).

- issued_pack: a board pack as issued for a board meeting: its PDF bytes unchanged, their
  SHA-256 (unique per programme), who issued it and when, the figures' as-at day and the
  snapshot of figures the next pack's "what changed since the last pack" starts from.
- board_pack_delivery: one board member's email of one issued pack, unique per (pack,
  person): claimed before sending, then sent (sent_at) or failed (error, retried).
- programme.protective_marking: printed on every page of the pack (OFFICIAL by default).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issued_pack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('board_date', sa.Date(), nullable=False),
    sa.Column('position_at', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('protective_marking', sa.String(length=40), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['person.id'], name=op.f('fk_issued_pack_issued_by_id_person')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_issued_pack_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_pack')),
    sa.UniqueConstraint('programme_id', 'sha256', name=op.f('uq_issued_pack_programme_id_sha256'))
    )
    with op.batch_alter_table('issued_pack', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_pack_programme_id'), ['programme_id'], unique=False)

    op.create_table('board_pack_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issued_pack_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['issued_pack_id'], ['issued_pack.id'], name=op.f('fk_board_pack_delivery_issued_pack_id_issued_pack'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_board_pack_delivery_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_pack_delivery')),
    sa.UniqueConstraint('issued_pack_id', 'person_id', name=op.f('uq_board_pack_delivery_issued_pack_id_person_id'))
    )
    with op.batch_alter_table('board_pack_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_pack_delivery_issued_pack_id'), ['issued_pack_id'], unique=False)

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protective_marking', sa.String(length=40), server_default='OFFICIAL', nullable=False))


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('protective_marking')

    with op.batch_alter_table('board_pack_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_pack_delivery_issued_pack_id'))

    op.drop_table('board_pack_delivery')

    with op.batch_alter_table('issued_pack', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_pack_programme_id'))

    op.drop_table('issued_pack')
