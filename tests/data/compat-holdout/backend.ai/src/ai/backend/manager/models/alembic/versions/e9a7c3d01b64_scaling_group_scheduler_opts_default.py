"""give scaling_groups.scheduler_opts a server default

Revision ID: e9a7c3d01b64
Revises: b52f06ad93c1
Create Date: 2024-04-09 14:33:48.012734

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "e9a7c3d01b64"
down_revision = "b52f06ad93c1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "scaling_groups",
        "scheduler_opts",
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        existing_nullable=False,
        server_default=sa.text("'{}'::jsonb"),
    )
    # Scaling groups without an app proxy are allowed since the coordinator
    # can be configured per resource group.
    op.alter_column(
        "scaling_groups",
        "wsproxy_addr",
        existing_type=sa.String(length=1024),
        nullable=True,
    )


def downgrade() -> None:
    op.execute("UPDATE scaling_groups SET wsproxy_addr = '' WHERE wsproxy_addr IS NULL")
    op.alter_column(
        "scaling_groups",
        "wsproxy_addr",
        existing_type=sa.String(length=1024),
        nullable=False,
    )
    op.alter_column(
        "scaling_groups",
        "scheduler_opts",
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        existing_nullable=False,
        server_default=None,
    )
