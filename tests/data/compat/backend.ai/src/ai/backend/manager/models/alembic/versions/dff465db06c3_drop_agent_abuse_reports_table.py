"""drop agent abuse reports table

Revision ID: dff465db06c3
Revises: 3bdc4ce46fd8
Create Date: 2024-07-15 09:37:25.901466

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "dff465db06c3"
down_revision = "3bdc4ce46fd8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Abuse reports are read from the agents' report files now.
    op.drop_table("agent_abuse_reports")


def downgrade() -> None:
    op.create_table(
        "agent_abuse_reports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("kernel_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_abuse_reports")),
    )
