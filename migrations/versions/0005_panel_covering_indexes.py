"""panel reviews and assignments get covering indexes for the moderation ranking

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Each new index starts with round_id, so it serves every lookup the round-only index did.
    with op.batch_alter_table('panel_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_reviews_round_id')
        batch_op.create_index('ix_panel_reviews_round_standing',
                              ['round_id', 'proposal_id', 'reviewer_id', 'submitted_at', 'abstained', 'total'])
    with op.batch_alter_table('panel_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_assignments_round_id')
        batch_op.create_index('ix_panel_assignments_round_member', ['round_id', 'user_id', 'proposal_id'])


def downgrade():
    with op.batch_alter_table('panel_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_assignments_round_member')
        batch_op.create_index('ix_panel_assignments_round_id', ['round_id'])
    with op.batch_alter_table('panel_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_reviews_round_standing')
        batch_op.create_index('ix_panel_reviews_round_id', ['round_id'])
