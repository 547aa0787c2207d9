"""insert default resource policies

Revision ID: 76c0afd94baf
Revises: c69f1be26b92
Create Date: 2024-06-17 11:08:37.225109

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "76c0afd94baf"
down_revision = "c69f1be26b92"
branch_labels = None
depends_on = None

keypair_resource_policies = sa.table(
    "keypair_resource_policies",
    sa.column("name", sa.String),
    sa.column("total_resource_slots", postgresql.JSONB),
    sa.column("max_concurrent_sessions", sa.Integer),
    sa.column("idle_timeout", sa.BigInteger),
)


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO keypair_resource_policies"
            " (name, total_resource_slots, max_concurrent_sessions, idle_timeout)"
            " VALUES ('default', '{}'::jsonb, 5, 3600)"
            " ON CONFLICT (name) DO NOTHING"
        )
    )
    op.bulk_insert(
        keypair_resource_policies,
        [
            {
                "name": "model-serving",
                "total_resource_slots": {},
                "max_concurrent_sessions": 30,
                "idle_timeout": 0,
            },
        ],
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM keypair_resource_policies WHERE name IN ('default', 'model-serving')"
    )
