"""convert route status enum to varchar

Revision ID: f788150c6a89
Revises: f4c3efa3f635
Create Date: 2024-04-15 14:09:03.229841

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "f788150c6a89"
down_revision = "f4c3efa3f635"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "routings",
        "status",
        existing_type=postgresql.ENUM(
            "HEALTHY", "UNHEALTHY", "PROVISIONING", "TERMINATING", "FAILED_TO_START",
            name="routestatus",
        ),
        type_=sa.VARCHAR(length=64),
        postgresql_using="status::text",
        existing_nullable=False,
    )
    op.execute("DROP TYPE IF EXISTS routestatus")


def downgrade() -> None:
    op.execute(
        "CREATE TYPE routestatus AS ENUM "
        "('HEALTHY', 'UNHEALTHY', 'PROVISIONING', 'TERMINATING', 'FAILED_TO_START')"
    )
    op.alter_column(
        "routings",
        "status",
        existing_type=sa.VARCHAR(length=64),
        type_=postgresql.ENUM(name="routestatus", create_type=False),
        postgresql_using="status::routestatus",
        existing_nullable=False,
    )
