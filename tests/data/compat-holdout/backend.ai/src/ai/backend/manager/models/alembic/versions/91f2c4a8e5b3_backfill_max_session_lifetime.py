"""keypair_resource_policies: max_session_lifetime from idle_timeout

Revision ID: 91f2c4a8e5b3
Revises: 0a4d7e6c8b12
Create Date: 2024-05-28 15:40:17.006158

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "91f2c4a8e5b3"
down_revision = "0a4d7e6c8b12"
branch_labels = None
depends_on = None

keypair_resource_policies = sa.table(
    "keypair_resource_policies",
    sa.column("name", sa.String),
    sa.column("idle_timeout", sa.BigInteger),
    sa.column("max_session_lifetime", sa.Integer),
)

# Policies with a short idle timeout were used as "demo" policies; give their
# sessions a hard lifetime of 4 idle periods.
LIFETIME_FACTOR = 4


def upgrade() -> None:
    op.add_column(
        "keypair_resource_policies",
        sa.Column("max_session_lifetime", sa.Integer(), server_default="0", nullable=False),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            keypair_resource_policies.c.name,
            keypair_resource_policies.c.idle_timeout,
        ).where(keypair_resource_policies.c.idle_timeout > 0)
    ).fetchall()
    for name, idle_timeout in rows:
        if idle_timeout >= 3600:
            continue
        conn.execute(
            sa.update(keypair_resource_policies)
            .where(keypair_resource_policies.c.name == name)
            .values(max_session_lifetime=idle_timeout * LIFETIME_FACTOR)
        )


def downgrade() -> None:
    op.drop_column("keypair_resource_policies", "max_session_lifetime")
