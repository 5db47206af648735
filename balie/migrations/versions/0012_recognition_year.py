"""service.recognition_year: the year an offering's recognition was given

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00

The directory shows a recognition (Databank Effectieve Jeugdinterventies) only where an entry states
one, with the year the Erkenningscommissie Interventies gave it. Existing rows get no year (NULL): the
next `flask kaart load` fills it from the files.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service') as batch_op:
        batch_op.add_column(sa.Column('recognition_year', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('service') as batch_op:
        batch_op.drop_column('recognition_year')
