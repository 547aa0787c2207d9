"""drop kernels lang column

Revision ID: 21f95df6a9ba
Revises: 94c883ba0946
Create Date: 2024-02-20 13:31:09.664021

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "21f95df6a9ba"
down_revision = "94c883ba0946"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `lang` was superseded by `image` long ago; IF EXISTS because some
    # installations dropped it by hand.
    op.execute("ALTER TABLE kernels DROP COLUMN IF EXISTS lang")


def downgrade() -> None:
    op.add_column("kernels", sa.Column("lang", sa.String(length=512), nullable=True))
