"""The monitor's figures of a day: monitor_snapshot

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 20:30:00

Per set of gemeenten, year and day: the year's base counts and what the suppression publishes, as
JSON (aggregates only). Made by the nightly `flask monitor snapshot` or by the first view of the
day; kept seven days.
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'monitor_snapshot',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('gemeenten', sa.String(2000), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('consistent', sa.Boolean(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('disclosure', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('gemeenten', 'year', 'day', name='uq_monitor_snapshot_gemeenten'),
    )
    op.create_index('ix_monitor_snapshot_day', 'monitor_snapshot', ['day'])


def downgrade() -> None:
    op.drop_index('ix_monitor_snapshot_day', 'monitor_snapshot')
    op.drop_table('monitor_snapshot')
