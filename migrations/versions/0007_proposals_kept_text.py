"""proposals kept text: the client that kept it (for its limit) and an index on when, for expiry

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_pending_drafts_client'), ['client'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_drafts_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_drafts_created_at'))
        batch_op.drop_index(batch_op.f('ix_pending_drafts_client'))
        batch_op.drop_column('client')
