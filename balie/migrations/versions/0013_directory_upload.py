"""A spreadsheet upload waiting for its editor's confirmation (directory_upload)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00

A gemeente editor uploads her offers as a spreadsheet; the desk reads and compares it and keeps
the result here until she confirms or cancels (directory entries only, no personal data).
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'directory_upload',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('user_id', sa.String(36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('file_name', sa.String(200), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
    )
    op.create_index('ix_directory_upload_user_id', 'directory_upload', ['user_id'])
    op.create_index('ix_directory_upload_created_at', 'directory_upload', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_directory_upload_created_at', 'directory_upload')
    op.drop_index('ix_directory_upload_user_id', 'directory_upload')
    op.drop_table('directory_upload')
