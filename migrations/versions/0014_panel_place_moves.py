"""Panel decisions remember where a freed place went: place_from_id (the declined or lapsed decision whose place
an offer from the waitlist took, so the lead can undo a decline by withdrawing that offer, and a freed place no
offer points to shows as not offered on) and lapsed_at (an offer not answered in time, told apart from a decline).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panel_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lapsed_at', portal.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('place_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_panel_decisions_place_from_id'), ['place_from_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_panel_decisions_place_from_id_panel_decisions'), 'panel_decisions',
                                    ['place_from_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('panel_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_panel_decisions_place_from_id_panel_decisions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_panel_decisions_place_from_id'))
        batch_op.drop_column('place_from_id')
        batch_op.drop_column('lapsed_at')
