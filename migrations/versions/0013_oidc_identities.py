"""OIDC identities: who a person is at the institution's OpenID Connect provider.

oidc_identities links an account to one identity at a provider, by issuer and subject (unique
together), never by email alone; it keeps when the link was made and the last sign-in through it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db_types


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oidc_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.Column('last_sign_in_at', portal.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oidc_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_identities')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_oidc_identities_issuer_subject'))
    )
    with op.batch_alter_table('oidc_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidc_identities_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('oidc_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidc_identities_user_id'))
    op.drop_table('oidc_identities')
