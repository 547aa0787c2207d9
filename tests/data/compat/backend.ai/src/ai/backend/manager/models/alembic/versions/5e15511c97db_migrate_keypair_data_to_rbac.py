"""migrate keypair data to rbac

Revision ID: 5e15511c97db
Revises: 5b8748108ffc
Create Date: 2024-08-05 15:31:40.442816

"""

from alembic import op

from ai.backend.manager.models.rbac_models.migration.keypair import (
    map_keypairs_to_user_scopes,
    remove_keypair_scope_entries,
)

# revision identifiers, used by Alembic.
revision = "5e15511c97db"
down_revision = "5b8748108ffc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    map_keypairs_to_user_scopes(conn, batch_size=1000)


def downgrade() -> None:
    conn = op.get_bind()
    remove_keypair_scope_entries(conn)
