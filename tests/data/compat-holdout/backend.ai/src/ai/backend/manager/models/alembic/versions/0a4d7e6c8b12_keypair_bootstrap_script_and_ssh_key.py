"""keypairs: add bootstrap_script, require ssh_public_key

Revision ID: 0a4d7e6c8b12
Revises: 5f18a0c7e2d9
Create Date: 2024-05-07 17:52:10.228690

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0a4d7e6c8b12"
down_revision = "5f18a0c7e2d9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE keypairs SET ssh_public_key = '' WHERE ssh_public_key IS NULL")
    with op.batch_alter_table("keypairs") as batch_op:
        batch_op.add_column(
            sa.Column("bootstrap_script", sa.String(length=64 * 1024), nullable=True)
        )
        batch_op.alter_column(
            "ssh_public_key",
            existing_type=sa.String(length=750),
            nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("keypairs") as batch_op:
        batch_op.alter_column(
            "ssh_public_key",
            existing_type=sa.String(length=750),
            nullable=True,
        )
        batch_op.drop_column("bootstrap_script")
