"""Pathway guidance that follows eligibility: pathways.requires_leadership (a pathway, such as Senior
CMALT, that asks for leadership, strategy or research responsibilities besides years), set for the
default scheme's Senior CMALT; and proposals.leads_learning_technology, the applicant's answer to that
question (NULL until answered).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pathways', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_leadership', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leads_learning_technology', sa.Boolean(), nullable=True))
    pathways = sa.table('pathways', sa.column('name', sa.String), sa.column('requires_leadership', sa.Boolean))
    op.execute(pathways.update().where(pathways.c.name == 'Senior CMALT').values(requires_leadership=True))


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('leads_learning_technology')
    with op.batch_alter_table('pathways', schema=None) as batch_op:
        batch_op.drop_column('requires_leadership')
