"""The monitor's reference figures per gemeente and year, and their history (reference_figures, reference_figure_change)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:30:00

Live births (entered or imported from CBS StatLine 37230ned), the gemeente's own target-group size
and its budget for the prenatal home visit: numbers about a gemeente, never about a person. The
monitor's roles need no schema change (a role is a code in role_grant.role).
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reference_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sa.String(6), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('live_births', sa.Integer(), nullable=True),
        sa.Column('live_births_source', sa.String(16), nullable=True),
        sa.Column('target_group_size', sa.Integer(), nullable=True),
        sa.Column('budget_cents', sa.Integer(), nullable=True),
        sa.Column('changed_by', sa.String(36), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['municipality_code'],
            ['municipality.code'],
            name='fk_reference_figures_municipality_code_municipality',
        ),
        sa.PrimaryKeyConstraint('id', name='pk_reference_figures'),
        sa.UniqueConstraint('municipality_code', 'year', name='uq_reference_figures_municipality_code'),
    )
    op.create_table(
        'reference_figure_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sa.String(6), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('figure', sa.String(24), nullable=False),
        sa.Column('old_value', sa.Integer(), nullable=True),
        sa.Column('new_value', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('changed_by', sa.String(36), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_reference_figure_change'),
    )
    op.create_index(
        'ix_reference_figure_change_municipality_year', 'reference_figure_change', ['municipality_code', 'year']
    )


def downgrade() -> None:
    op.drop_index('ix_reference_figure_change_municipality_year', 'reference_figure_change')
    op.drop_table('reference_figure_change')
    op.drop_table('reference_figures')
