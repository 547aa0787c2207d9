"""rename vfolder permissions table

Revision ID: 84097c07dfcd
Revises: f5ab2a19c6e0
Create Date: 2024-05-27 09:51:44.380116

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "84097c07dfcd"
down_revision = "f5ab2a19c6e0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("vfolder_permissions", "vfolder_user_permissions")


def downgrade() -> None:
    op.rename_table("vfolder_user_permissions", "vfolder_permissions")
