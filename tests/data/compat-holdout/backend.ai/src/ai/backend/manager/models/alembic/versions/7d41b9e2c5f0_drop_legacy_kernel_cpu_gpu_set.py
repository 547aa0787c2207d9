"""drop legacy kernel cpu_set/gpu_set columns

The per-kernel device sets moved into ``occupied_slots`` two releases ago and
nothing reads them any more.

Revision ID: 7d41b9e2c5f0
Revises: 3c8e1f0b9a27
Create Date: 2024-03-20 16:02:55.904113

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "7d41b9e2c5f0"
down_revision = "3c8e1f0b9a27"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_kernels_cpu_set", table_name="kernels")
    op.drop_column("kernels", "cpu_set")
    op.drop_column("kernels", "gpu_set")
    op.alter_column(
        "kernels",
        "cluster_mode",
        existing_type=sa.String(length=16),
        existing_nullable=False,
        server_default=None,
    )


def downgrade() -> None:
    op.alter_column(
        "kernels",
        "cluster_mode",
        existing_type=sa.String(length=16),
        existing_nullable=False,
        server_default="SINGLE_NODE",
    )
    op.add_column(
        "kernels",
        sa.Column("gpu_set", postgresql.ARRAY(sa.Integer()), nullable=True),
    )
    op.add_column(
        "kernels",
        sa.Column("cpu_set", postgresql.ARRAY(sa.Integer()), nullable=True),
    )
    op.create_index("ix_kernels_cpu_set", "kernels", ["cpu_set"], unique=False)
