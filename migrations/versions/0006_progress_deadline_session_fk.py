"""mentoring progress: the deadline session it took its target from is a foreign key to sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


# A session deleted while the column had no constraint left its id behind; the target date stays.
CLEAR_ORPHANS = sa.text(
    "UPDATE mentoring_progress SET deadline_session_id = NULL"
    " WHERE deadline_session_id IS NOT NULL"
    " AND deadline_session_id NOT IN (SELECT id FROM sessions)")


def upgrade():
    op.execute(CLEAR_ORPHANS)
    with op.batch_alter_table('mentoring_progress', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_mentoring_progress_deadline_session_id_sessions'), 'sessions',
                                    ['deadline_session_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('mentoring_progress', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mentoring_progress_deadline_session_id_sessions'), type_='foreignkey')
