"""sessions: check cluster_size, document the table

Revision ID: c6e0d8f4a913
Revises: 0a4d7e6c8b12
Create Date: 2024-05-21 08:26:44.917355

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c6e0d8f4a913"
down_revision = "0a4d7e6c8b12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table_comment(
        "sessions",
        "One row per compute session; kernels hold the per-container state",
        existing_comment=None,
    )
    op.create_check_constraint(
        op.f("ck_sessions_cluster_size_positive"),
        "sessions",
        "cluster_size >= 1",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_sessions_cluster_size_positive"), "sessions", type_="check")
    op.drop_table_comment("sessions")
