"""unique keypair ssh public key

Revision ID: 94c883ba0946
Revises: 2f05d463e626
Create Date: 2024-02-13 10:12:47.903155

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "94c883ba0946"
down_revision = "2f05d463e626"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_keypairs_ssh_public_key",
        "keypairs",
        ["ssh_public_key"],
        unique=True,
        postgresql_where="ssh_public_key IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_index("ix_keypairs_ssh_public_key", table_name="keypairs")
