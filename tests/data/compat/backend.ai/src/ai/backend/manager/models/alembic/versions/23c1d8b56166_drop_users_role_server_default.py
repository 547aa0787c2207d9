"""drop users role server default

Revision ID: 23c1d8b56166
Revises: dff465db06c3
Create Date: 2024-07-22 14:44:58.560193

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "23c1d8b56166"
down_revision = "dff465db06c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The role of a new user must be chosen explicitly by the admin API.
    op.alter_column(
        "users",
        "role",
        existing_type=sa.String(length=32),
        server_default=None,
        existing_nullable=True,
    )


def downgrade() -> None:
    op.alter_column(
        "users",
        "role",
        existing_type=sa.String(length=32),
        server_default="user",
        existing_nullable=True,
    )
