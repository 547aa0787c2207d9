"""add totp to users

Revision ID: f43128ecac52
Revises: 5eda9837df90
Create Date: 2024-03-11 13:18:40.772019

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f43128ecac52"
down_revision = "5eda9837df90"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_key", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("totp_activated", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("totp_activated_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_activated_at")
        batch_op.drop_column("totp_activated")
        batch_op.drop_column("totp_key")
