"""maintain updated_at with a trigger

Revision ID: f0b7d2e6a4c8
Revises: 91f2c4a8e5b3
Create Date: 2024-06-11 09:58:03.451276

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f0b7d2e6a4c8"
down_revision = "91f2c4a8e5b3"
branch_labels = None
depends_on = None

TABLES = ("vfolders", "endpoints", "session_templates", "scaling_groups")


def upgrade() -> None:
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
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER trg_{table}_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_updated_at ON {table}")
    op.execute("DROP FUNCTION IF EXISTS set_updated_at()")
