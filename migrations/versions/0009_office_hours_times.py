"""office hours: a block's start and end are Time columns, not "HH:MM" strings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00

The strings are read and written back as times by Python, not by the database: SQLite would turn
'14:00' cast to its TIME (numeric) affinity into 14, and reads a time only as 'HH:MM:SS.ffffff'.
The new columns sit beside the old until every row is copied, so a failure loses nothing.

"""
from datetime import time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLE = 'office_hours_blocks'
COLUMNS = ('start_time', 'end_time')


def _copy(old_type, new_type, convert):
    """Every row's old columns into the new ones (named `<column>_new`), through `convert`."""
    old = sa.table(TABLE, sa.column('id', sa.Integer()), *(sa.column(c, old_type) for c in COLUMNS))
    new = sa.table(TABLE, sa.column('id', sa.Integer()), *(sa.column(f'{c}_new', new_type) for c in COLUMNS))
    bind = op.get_bind()
    for row in bind.execute(sa.select(old)).all():
        bind.execute(new.update().where(new.c.id == row.id).values(
            {f'{c}_new': convert(getattr(row, c)) for c in COLUMNS}))


def _swap(old_type, new_type, convert):
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(f'{column}_new', new_type, nullable=True))
    _copy(old_type, new_type, convert)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_column(column)
            batch_op.alter_column(f'{column}_new', new_column_name=column, existing_type=new_type,
                                  nullable=False)


def upgrade():
    # Stored by strftime("%H:%M"); fromisoformat also takes a stray "HH:MM:SS".
    _swap(sa.String(length=5), sa.Time(), time.fromisoformat)


def downgrade():
    _swap(sa.Time(), sa.String(length=5), lambda value: value.strftime('%H:%M'))
