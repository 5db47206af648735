"""registrations without a fixed address

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 10:00:00

A parent without a fixed address (a shelter, a secret address, a briefadres, homeless) registers
with the gemeente she chose instead of a postcode and house number. ``no_fixed_address`` says so
(existing rows: false; erased to NULL with the personal data); ``reachable_at_sealed`` holds the
optional place where she can be reached, sealed like the address.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_fixed_address', sa.Boolean(), nullable=True, server_default=sa.false()))
        batch_op.add_column(sa.Column('reachable_at_sealed', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('reachable_at_sealed')
        batch_op.drop_column('no_fixed_address')
