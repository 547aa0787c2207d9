"""add SCHEDULED to kernelstatus, kernels.scheduled_at

Revision ID: d83f5b1c6e07
Revises: 4b9e2a7f1d30
Create Date: 2024-06-18 10:12:33.770419

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d83f5b1c6e07"
down_revision = "4b9e2a7f1d30"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TYPE kernelstatus ADD VALUE IF NOT EXISTS 'SCHEDULED' AFTER 'PENDING'")
    op.add_column(
        "kernels",
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("kernels", "scheduled_at")
    # PostgreSQL cannot remove a value from an enum type; leave it in place.
