"""drop agents addr unique constraint

Revision ID: 2021ab3d64f0
Revises: 8167cd6afe97
Create Date: 2024-05-13 13:47:19.553802

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "2021ab3d64f0"
down_revision = "8167cd6afe97"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Agents behind the same NAT gateway report the same address.
    op.drop_constraint("uq_agents_addr", "agents", type_="unique")


def downgrade() -> None:
    op.create_unique_constraint("uq_agents_addr", "agents", ["addr"])
