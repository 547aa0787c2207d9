"""add session_templates.is_active and description

Revision ID: b52f06ad93c1
Revises: 7d41b9e2c5f0
Create Date: 2024-04-02 09:15:21.550876

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b52f06ad93c1"
down_revision = "7d41b9e2c5f0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "session_templates",
        sa.Column("is_active", sa.Boolean(), nullable=False, default=True),
    )
    op.add_column(
        "session_templates",
        sa.Column("description", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("session_templates", "description")
    op.drop_column("session_templates", "is_active")
