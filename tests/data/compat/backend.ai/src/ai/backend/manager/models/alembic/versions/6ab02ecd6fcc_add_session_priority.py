"""add session priority

Revision ID: 6ab02ecd6fcc
Revises: b72178dd78ab
Create Date: 2024-02-05 16:40:02.310448

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6ab02ecd6fcc"
down_revision = "b72178dd78ab"
branch_labels = None
depends_on = None

SESSION_PRIORITY_DEFAULT = 10


def upgrade() -> None:
    op.add_column(
        "sessions",
        sa.Column(
            "priority",
            sa.Integer(),
            nullable=False,
            default=SESSION_PRIORITY_DEFAULT,
        ),
    )


def downgrade() -> None:
    op.drop_column("sessions", "priority")
