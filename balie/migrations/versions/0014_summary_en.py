"""service.summary_en: the editors' English name and one line of an offering

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:30:00

Parents who read English see it beside the Dutch text, marked as a translation. Existing rows get an
empty text: the next `flask kaart load` fills it from the files.
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service') as batch_op:
        batch_op.add_column(sa.Column('summary_en', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('service') as batch_op:
        batch_op.drop_column('summary_en')
