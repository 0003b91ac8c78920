"""Mentoring nudges: the emails a lead sends from the at-risk list to a participant or their mentor.

mentoring_nudges keeps one row per nudge: the participant's proposal, who it went to (mentee or
mentor, and their account), the lead who sent it, the message, when, and the institution's calendar
day; (proposal_id, recipient, sent_on) is unique, so a double click sends one nudge a day.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mentoring_nudges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.Enum('mentee', 'mentor', name='nudgerecipient', native_enum=False, length=20), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sent_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_mentoring_nudges_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_mentoring_nudges_recipient_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_mentoring_nudges_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_nudges')),
    sa.UniqueConstraint('proposal_id', 'recipient', 'sent_on', name=op.f('uq_mentoring_nudges_proposal_id_recipient_sent_on'))
    )
    with op.batch_alter_table('mentoring_nudges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_nudges_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mentoring_nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentoring_nudges_proposal_id'))
    op.drop_table('mentoring_nudges')
