"""the sociale kaart files' last value of each field of a service (who owns a field)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:30:00

An import compares three values per field: the file's, the database's and the file's previous
value stored here. A field whose database value differs from it was changed on the site, and the
import keeps it. The table starts empty: for services loaded before it existed, the first import
reads the files' previous values from the change history (balie/services/directory/ownership.py)
and stores them. Downgrading drops the table; nothing else depends on it.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_file_value',
    sa.Column('service_id', sa.String(length=36), nullable=False),
    sa.Column('field_name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_file_value_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'field_name', name=op.f('pk_service_file_value'))
    )


def downgrade() -> None:
    op.drop_table('service_file_value')
