"""add agent version

Revision ID: aae0975ee896
Revises: 5526aaece4b2
Create Date: 2024-01-22 09:48:30.556217

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "aae0975ee896"
down_revision = "5526aaece4b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("version", sa.String(length=64), nullable=True))
    op.add_column("agents", sa.Column("compute_plugins", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("agents", "compute_plugins")
    op.drop_column("agents", "version")
