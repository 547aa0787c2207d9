"""add lifecycle timestamps to routings

Revision ID: 5b8748108ffc
Revises: 23c1d8b56166
Create Date: 2024-07-29 11:02:13.907385

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b8748108ffc"
down_revision = "23c1d8b56166"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "routings",
        sa.Column(
            "status_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
    )
    op.add_column(
        "routings",
        sa.Column("status_data", sa.JSON(), server_default=sa.text("'{}'::json"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("routings", "status_data")
    op.drop_column("routings", "status_changed_at")
