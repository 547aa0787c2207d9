"""merge 2f459433bed9 and d1dd2a71ef34

Revision ID: 09d057128fef
Revises: 2f459433bed9, d1dd2a71ef34
Create Date: 2024-06-05 08:59:02.143377

"""

# revision identifiers, used by Alembic.
revision = "09d057128fef"
down_revision = ("2f459433bed9", "d1dd2a71ef34")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
