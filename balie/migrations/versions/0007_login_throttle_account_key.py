"""login throttle: the account a pair of e-mail address and client address belongs to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_login_throttle_account_key'), ['account_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_account_key'))
        batch_op.drop_column('account_key')
