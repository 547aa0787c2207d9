"""index sessions created_at

Revision ID: d1dd2a71ef34
Revises: 84097c07dfcd
Create Date: 2024-06-04 10:40:18.602155

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d1dd2a71ef34"
down_revision = "84097c07dfcd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_sessions_created_at",
            "sessions",
            ["created_at"],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_sessions_created_at",
            table_name="sessions",
            postgresql_concurrently=True,
        )
