"""outbox and retention: when a sender claimed a message, the sender lease row, and who wrote a pairing's concern

claimed_at lets the next sender put back a message that a killed sender left 'sending';
outbox_sender_locks holds the one-sender lease on databases without advisory locks (SQLite);
pairings.concern_reported_by_id says whose concern it is, so only its writer and the lead read it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


# A concern written before this revision: its writer is the actor of the latest 'pairing.concern' event.
FILL_CONCERN_WRITERS = sa.text(
    "UPDATE pairings SET concern_reported_by_id = ("
    " SELECT audit_events.actor_id FROM audit_events"
    " WHERE audit_events.action = 'pairing.concern' AND audit_events.object_type = 'Pairing'"
    " AND audit_events.object_id = pairings.id ORDER BY audit_events.id DESC LIMIT 1)"
    " WHERE concern_reported_at IS NOT NULL")


def upgrade():
    op.create_table('outbox_sender_locks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('expires_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_outbox_sender_locks'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', portal.db_types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concern_reported_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_pairings_concern_reported_by_id_users'), 'users',
                                    ['concern_reported_by_id'], ['id'], ondelete='SET NULL')
    op.execute(FILL_CONCERN_WRITERS)


def downgrade():
    with op.batch_alter_table('pairings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pairings_concern_reported_by_id_users'), type_='foreignkey')
        batch_op.drop_column('concern_reported_by_id')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
    op.drop_table('outbox_sender_locks')
