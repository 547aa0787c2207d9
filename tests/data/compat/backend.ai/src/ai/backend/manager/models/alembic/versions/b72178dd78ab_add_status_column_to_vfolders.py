"""add status column to vfolders

Revision ID: b72178dd78ab
Revises: aae0975ee896
Create Date: 2024-01-29 11:25:26.192685

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b72178dd78ab"
down_revision = "aae0975ee896"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "vfolders",
        sa.Column(
            "status",
            sa.String(length=32),
            server_default="ready",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("vfolders", "status")
