"""Uploads waiting for confirmation, of any kind: directory_upload becomes pending_upload with a kind

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 19:45:00

The sociale kaart's spreadsheet upload kept its preview in directory_upload; the monitor's CBS
births upload keeps its preview the same way, so the table now holds both, told apart by ``kind``
(existing rows are spreadsheets). No personal data either way.
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_directory_upload_created_at', 'directory_upload')
    op.drop_index('ix_directory_upload_user_id', 'directory_upload')
    op.rename_table('directory_upload', 'pending_upload')
    with op.batch_alter_table('pending_upload') as batch:
        batch.add_column(
            sa.Column('kind', sa.String(40), nullable=False, server_default='directory_spreadsheet')
        )
    op.create_index('ix_pending_upload_user_id', 'pending_upload', ['user_id'])
    op.create_index('ix_pending_upload_created_at', 'pending_upload', ['created_at'])


def downgrade() -> None:
    op.execute("DELETE FROM pending_upload WHERE kind <> 'directory_spreadsheet'")
    op.drop_index('ix_pending_upload_created_at', 'pending_upload')
    op.drop_index('ix_pending_upload_user_id', 'pending_upload')
    with op.batch_alter_table('pending_upload') as batch:
        batch.drop_column('kind')
    op.rename_table('pending_upload', 'directory_upload')
    op.create_index('ix_directory_upload_user_id', 'directory_upload', ['user_id'])
    op.create_index('ix_directory_upload_created_at', 'directory_upload', ['created_at'])
