"""fill session names

Revision ID: e88d45e7e577
Revises: 21f95df6a9ba
Create Date: 2024-02-26 17:03:55.120877

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e88d45e7e577"
down_revision = "21f95df6a9ba"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions created through the old batch API have no name; the new
    # session list sorts by it.
    op.execute(
        sa.text(
            "UPDATE sessions SET name = 'session-' || substr(id::text, 1, 8) WHERE name IS NULL"
        )
    )


def downgrade() -> None:
    pass
