"""Secrets kept hashed or hidden: feed tokens stored as their SHA-256; outbox secret links kept encrypted.

feed_tokens.token (the secret itself) becomes feed_tokens.token_hash: each existing token is hashed here,
so every feed URL handed out before keeps working. outbox_messages gains secret_parts, where a reset,
verification or invitation link masked out of the body is kept encrypted until the message is sent.
The downgrade cannot bring back a hashed secret: feed links made before it stop working.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00

"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_parts', sa.Text(), nullable=True))

    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    feeds = sa.table('feed_tokens', sa.column('id', sa.Integer), sa.column('token', sa.String),
                     sa.column('token_hash', sa.String))
    for row in connection.execute(sa.select(feeds.c.id, feeds.c.token)).all():
        connection.execute(feeds.update().where(feeds.c.id == row.id)
                           .values(token_hash=hashlib.sha256(row.token.encode('utf-8')).hexdigest()))
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_feed_tokens_token'), type_='unique')
        batch_op.drop_column('token')
        batch_op.create_unique_constraint(batch_op.f('uq_feed_tokens_token_hash'), ['token_hash'])


def downgrade():
    # The secrets are gone; each link gets a fresh random one nobody holds, so old links stop working.
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    feeds = sa.table('feed_tokens', sa.column('id', sa.Integer), sa.column('token', sa.String))
    for row in connection.execute(sa.select(feeds.c.id)).all():
        connection.execute(feeds.update().where(feeds.c.id == row.id).values(token=secrets.token_urlsafe(32)))
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_feed_tokens_token_hash'), type_='unique')
        batch_op.drop_column('token_hash')
        batch_op.create_unique_constraint(batch_op.f('uq_feed_tokens_token'), ['token'])

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('secret_parts')
