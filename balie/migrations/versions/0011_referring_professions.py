""""hospital or gynaecologist" is split: only the verloskundig zorgverlener may refer directly

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:00:00

Direct referral is for the verloskundig zorgverlener only (verloskundige, klinisch verloskundige,
gynaecoloog: national standpoint of 30 October 2025). The old profession "hospital" ("hospital or
gynaecologist") also gave the right to refer to every other hospital professional. Nobody can tell
from the data which of them are gynaecologists or clinical midwives, so every such grant, account
request and pending invitation becomes "hospital_other" (another profession in a hospital), which
does not refer: nobody silently keeps or gains the right to refer. An administrator gives the
gynaecologists and clinical midwives among them their profession (Beheer → Gebruikers); until then
their advice overview tells them why the referral button is gone.

Registrations keep "hospital" as the parent's answer to "who advised you?": that list is coarser.

Downgrade: the three new codes become "hospital" again, as the older code knows only that one (which
gives all of them the right to refer again, as before this revision).
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

role_grant = sa.table('role_grant', sa.column('profession', sa.String))
account_request = sa.table('account_request', sa.column('profession', sa.String))
invitation = sa.table('invitation', sa.column('id', sa.String), sa.column('roles', sa.JSON), sa.column('accepted_at', sa.DateTime))


def _rename(old: set[str], new: str) -> None:
    for table in (role_grant, account_request):
        op.execute(table.update().where(table.c.profession.in_(sorted(old))).values(profession=new))
    connection = op.get_bind()
    for row in connection.execute(sa.select(invitation.c.id, invitation.c.roles).where(invitation.c.accepted_at.is_(None))):
        grants = list(row.roles or [])
        if any(grant.get('profession') in old for grant in grants):
            changed = [{**grant, 'profession': new} if grant.get('profession') in old else grant for grant in grants]
            connection.execute(invitation.update().where(invitation.c.id == row.id).values(roles=changed))


def upgrade() -> None:
    _rename({'hospital'}, 'hospital_other')


def downgrade() -> None:
    _rename({'hospital_other', 'clinical_midwife', 'gynaecologist'}, 'hospital')
