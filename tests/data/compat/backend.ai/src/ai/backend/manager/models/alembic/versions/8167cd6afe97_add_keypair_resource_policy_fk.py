"""add keypair resource policy fk

Revision ID: 8167cd6afe97
Revises: bd7b169a0bbf
Create Date: 2024-05-06 10:03:41.290557

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8167cd6afe97"
down_revision = "bd7b169a0bbf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("keypairs", sa.Column("resource_policy", sa.String(length=256), nullable=True))
    op.create_foreign_key(
        op.f("fk_keypairs_resource_policy_keypair_resource_policies"),
        "keypairs",
        "keypair_resource_policies",
        ["resource_policy"],
        ["name"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_keypairs_resource_policy_keypair_resource_policies"),
        "keypairs",
        type_="foreignkey",
    )
    op.drop_column("keypairs", "resource_policy")
