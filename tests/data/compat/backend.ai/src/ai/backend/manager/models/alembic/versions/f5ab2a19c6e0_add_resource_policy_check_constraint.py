"""add resource policy check constraint

Revision ID: f5ab2a19c6e0
Revises: 2021ab3d64f0
Create Date: 2024-05-20 11:30:26.017244

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f5ab2a19c6e0"
down_revision = "2021ab3d64f0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint(
        "ck_keypair_resource_policies_max_concurrent_sessions",
        "keypair_resource_policies",
        "max_concurrent_sessions >= 0 AND idle_timeout >= 0",
    )


def downgrade() -> None:
    op.drop_constraint(
        "ck_keypair_resource_policies_max_concurrent_sessions",
        "keypair_resource_policies",
        type_="check",
    )
