"""delete orphan kernels

Revision ID: c69f1be26b92
Revises: 09d057128fef
Create Date: 2024-06-10 15:26:51.930644

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c69f1be26b92"
down_revision = "09d057128fef"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Kernels left behind by sessions purged before the FK was enforced.
    op.execute(
        """
        DELETE FROM kernels
        WHERE session_id IS NULL
           OR session_id NOT IN (SELECT id FROM sessions)
        """
    )


def downgrade() -> None:
    # The deleted rows cannot be restored.
    pass
