"""add updated_at trigger

Revision ID: 3bdc4ce46fd8
Revises: 18e7048bf019
Create Date: 2024-07-08 13:55:06.148732

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3bdc4ce46fd8"
down_revision = "18e7048bf019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "endpoints",
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
        BEGIN
            NEW.updated_at = now();
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        """
        CREATE TRIGGER endpoints_set_updated_at
            BEFORE UPDATE ON endpoints
            FOR EACH ROW EXECUTE FUNCTION set_updated_at();
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS endpoints_set_updated_at ON endpoints")
    op.execute("DROP FUNCTION IF EXISTS set_updated_at()")
    op.drop_column("endpoints", "updated_at")
