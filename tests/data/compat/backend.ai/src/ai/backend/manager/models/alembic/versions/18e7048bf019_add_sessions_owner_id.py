"""add sessions owner id

Revision ID: 18e7048bf019
Revises: 5126e69e7deb
Create Date: 2024-07-01 10:19:48.337021

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "18e7048bf019"
down_revision = "5126e69e7deb"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sessions",
        sa.Column("user_uuid", postgresql.UUID(as_uuid=True), nullable=True),
    )
    op.execute(
        "UPDATE sessions SET user_uuid = keypairs.user "
        "FROM keypairs WHERE sessions.access_key = keypairs.access_key"
    )
    op.alter_column("sessions", "user_uuid", nullable=False)
    op.create_index(op.f("ix_sessions_user_uuid"), "sessions", ["user_uuid"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sessions_user_uuid"), table_name="sessions")
    op.drop_column("sessions", "user_uuid")
