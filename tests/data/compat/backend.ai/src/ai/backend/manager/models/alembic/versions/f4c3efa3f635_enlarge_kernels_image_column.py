"""enlarge kernels image column

Revision ID: f4c3efa3f635
Revises: e3811ca229a4
Create Date: 2024-04-08 10:26:38.661203

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4c3efa3f635"
down_revision = "e3811ca229a4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Canonical image references with a registry, project and digest no
    # longer fit in 256 characters.
    op.alter_column(
        "kernels",
        "image",
        existing_type=sa.String(length=256),
        type_=sa.String(length=512),
        existing_nullable=True,
    )


def downgrade() -> None:
    op.alter_column(
        "kernels",
        "image",
        existing_type=sa.String(length=512),
        type_=sa.String(length=256),
        existing_nullable=True,
    )
