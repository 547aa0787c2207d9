"""merge d83f5b1c6e07 and f0b7d2e6a4c8

Revision ID: 6e3a9b0d7c15
Revises: d83f5b1c6e07, f0b7d2e6a4c8
Create Date: 2024-06-25 18:20:46.183905

"""

# revision identifiers, used by Alembic.
revision = "6e3a9b0d7c15"
down_revision = ("d83f5b1c6e07", "f0b7d2e6a4c8")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
