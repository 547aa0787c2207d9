"""keypairs dotfiles nullable

Revision ID: e3811ca229a4
Revises: 97ed2c4a73ae
Create Date: 2024-04-01 15:44:20.914537

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3811ca229a4"
down_revision = "97ed2c4a73ae"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Dotfiles move to the user's home vfolder; keypairs created from now on
    # may leave the column empty.
    op.alter_column(
        "keypairs",
        "dotfiles",
        existing_type=sa.LargeBinary(length=65536),
        nullable=True,
        existing_server_default=sa.text("'\\x90'::bytea"),
    )


def downgrade() -> None:
    op.execute("UPDATE keypairs SET dotfiles = '\\x90'::bytea WHERE dotfiles IS NULL")
    op.alter_column(
        "keypairs",
        "dotfiles",
        existing_type=sa.LargeBinary(length=65536),
        nullable=False,
        existing_server_default=sa.text("'\\x90'::bytea"),
    )
