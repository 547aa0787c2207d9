"""drop expires_at from login_sessions

Revision ID: 2f459433bed9
Revises: 84097c07dfcd
Create Date: 2024-06-03 14:12:30.775903

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2f459433bed9"
down_revision = "84097c07dfcd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("login_sessions", "expires_at")


def downgrade() -> None:
    op.add_column(
        "login_sessions",
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
