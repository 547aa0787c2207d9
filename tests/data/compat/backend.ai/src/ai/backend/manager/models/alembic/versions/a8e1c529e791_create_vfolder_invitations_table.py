"""create vfolder invitations table

Revision ID: a8e1c529e791
Revises: f43128ecac52
Create Date: 2024-03-18 09:32:14.008452

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "a8e1c529e791"
down_revision = "f43128ecac52"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vfolder_invitations",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("permission", sa.String(length=2), server_default="rw", nullable=True),
        sa.Column("inviter", sa.String(length=256), nullable=True),
        sa.Column("invitee", sa.String(length=256), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="pending", nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.Column("vfolder", postgresql.UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vfolder"],
            ["vfolders.id"],
            name=op.f("fk_vfolder_invitations_vfolder_vfolders"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vfolder_invitations")),
    )


def downgrade() -> None:
    # Undoing the upgrade drops the whole table and its rows; this is the
    # downgrade path only, run by hand when rolling back.
    op.drop_table("vfolder_invitations")
    op.execute("DROP TYPE IF EXISTS vfolderinvitationstate")
