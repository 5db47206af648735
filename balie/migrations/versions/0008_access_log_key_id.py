"""access log rows name the audit key that signed them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

Rows written before this revision keep key_id NULL: their hash is plain SHA-256 and they stay
verifiable as the start of the log. ``recreate="never"``: a copied SQLite table would lose the
append-only triggers, so both directions use ALTER TABLE (SQLite 3.35+ drops columns natively).
After a downgrade the older code cannot verify rows signed with a key.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_log', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('access_log', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('key_id')
