"""create resource_slot_types table

Revision ID: 5f18a0c7e2d9
Revises: e9a7c3d01b64
Create Date: 2024-04-23 11:07:39.641502

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5f18a0c7e2d9"
down_revision = "e9a7c3d01b64"
branch_labels = None
depends_on = None

# Lightweight table definition for the seed rows; the ORM model is not
# imported so that later model changes do not break this revision.
resource_slot_types = sa.table(
    "resource_slot_types",
    sa.column("slot_name", sa.String),
    sa.column("slot_type", sa.String),
    sa.column("display_name", sa.String),
    sa.column("number_format", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "resource_slot_types",
        sa.Column("slot_name", sa.String(length=64), nullable=False),
        sa.Column("slot_type", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=True),
        sa.Column(
            "number_format",
            sa.String(length=16),
            server_default="count",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("slot_name", name=op.f("pk_resource_slot_types")),
    )
    op.bulk_insert(
        resource_slot_types,
        [
            {"slot_name": "cpu", "slot_type": "count", "display_name": "CPU", "number_format": "count"},
            {"slot_name": "mem", "slot_type": "bytes", "display_name": "RAM", "number_format": "bytes"},
            {"slot_name": "cuda.device", "slot_type": "count", "display_name": "GPU", "number_format": "count"},
            {"slot_name": "cuda.shares", "slot_type": "count", "display_name": "fGPU", "number_format": "decimal"},
        ],
    )


def downgrade() -> None:
    op.drop_table("resource_slot_types")
