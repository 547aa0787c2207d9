"""add vfolder ownership type

Revision ID: bd7b169a0bbf
Revises: 3196f97a84af
Create Date: 2024-04-29 16:22:07.815934

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "bd7b169a0bbf"
down_revision = "3196f97a84af"
branch_labels = None
depends_on = None

vfolderownershiptype_choices = ["user", "group"]
vfolderownershiptype = postgresql.ENUM(*vfolderownershiptype_choices, name="vfolderownershiptype")


def upgrade() -> None:
    vfolderownershiptype.create(op.get_bind())
    op.add_column(
        "vfolders",
        sa.Column(
            "ownership_type",
            sa.Enum(*vfolderownershiptype_choices, name="vfolderownershiptype"),
            server_default="user",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("vfolders", "ownership_type")
    vfolderownershiptype.drop(op.get_bind())
