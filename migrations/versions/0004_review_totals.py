"""panel reviews keep their weighted total

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# Existing complete reviews get the total the scoring arithmetic gives (portal.panel.scoring.weighted_total):
# Σ(value × weight) / Σ(5 × weight) × 100 over counted criteria of positive weight.
BACKFILL = sa.text(
    "UPDATE panel_reviews SET total = ("
    " SELECT SUM(s.value * c.weight) * 100.0 / SUM(5 * c.weight)"
    " FROM panel_scores s JOIN panel_criteria c ON c.id = s.criterion_id"
    " WHERE s.proposal_id = panel_reviews.proposal_id AND s.reviewer_id = panel_reviews.reviewer_id"
    " AND c.counted_in_total = :counted AND c.weight > 0)"
    " WHERE submitted_at IS NOT NULL AND abstained = :not_abstained")


def upgrade():
    with op.batch_alter_table('panel_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total', sa.Float(), nullable=True))
    op.execute(BACKFILL.bindparams(counted=True, not_abstained=False))


def downgrade():
    with op.batch_alter_table('panel_reviews', schema=None) as batch_op:
        batch_op.drop_column('total')
