"""The pregnancy phase at registration (an anonymous band) and two indexes for the monitor

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:30:00

The monitor shows how far along parents were when they registered. The due month is erased with
the personal data, so the band is stored when she registers (balie.domain.pregnancy_phase). Rows
that still hold their due month get their band here; rows already purged stay without one (the
monitor counts them as "unknown").

The backfill carries its own copy of the rule as it was at this revision (a migration is history:
it must not change when the live rule does). A test checks that both give the same bands.

The index on (municipality_code, created_at) serves the monitor's "this gemeente, this period"; the
one on registration_event (registration_id, kind, occurred_at) lets it read the steps from the index.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

ZONE = ZoneInfo('Europe/Amsterdam')
registration = sa.table(
    'registration',
    sa.column('id', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('due_month', sa.Date),
    sa.column('pregnancy_phase', sa.String),
)


def _band(due_month: date, registered_on: date) -> str:
    next_month = date(due_month.year + due_month.month // 12, due_month.month % 12 + 1, 1)
    if registered_on >= next_month:
        return 'after_due_month'
    weeks = (280 - (date(due_month.year, due_month.month, 15) - registered_on).days) // 7
    for lower, name in ((36, 'from_36'), (28, 'weeks_28_35'), (20, 'weeks_20_27'), (12, 'weeks_12_19')):
        if weeks >= lower:
            return name
    return 'before_12'


def _local_date(moment: datetime) -> date:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(ZONE).date()


def upgrade() -> None:
    with op.batch_alter_table('registration') as batch_op:
        batch_op.add_column(sa.Column('pregnancy_phase', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_registration_municipality_code_created_at', ['municipality_code', 'created_at'])
    with op.batch_alter_table('registration_event') as batch_op:
        batch_op.create_index('ix_registration_event_registration_id_kind', ['registration_id', 'kind', 'occurred_at'])
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(registration.c.id, registration.c.created_at, registration.c.due_month).where(
            registration.c.due_month.is_not(None)
        )
    ).all()
    for row in rows:
        connection.execute(
            registration.update()
            .where(registration.c.id == row.id)
            .values(pregnancy_phase=_band(row.due_month, _local_date(row.created_at)))
        )


def downgrade() -> None:
    with op.batch_alter_table('registration_event') as batch_op:
        batch_op.drop_index('ix_registration_event_registration_id_kind')
    with op.batch_alter_table('registration') as batch_op:
        batch_op.drop_index('ix_registration_municipality_code_created_at')
        batch_op.drop_column('pregnancy_phase')
