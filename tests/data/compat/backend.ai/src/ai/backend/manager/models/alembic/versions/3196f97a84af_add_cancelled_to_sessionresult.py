"""add cancelled to sessionresult

Revision ID: 3196f97a84af
Revises: f788150c6a89
Create Date: 2024-04-22 09:14:55.470318

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "3196f97a84af"
down_revision = "f788150c6a89"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TYPE sessionresult ADD VALUE IF NOT EXISTS 'CANCELLED'")


def downgrade() -> None:
    # PostgreSQL cannot remove a value from an enum type.
    pass
