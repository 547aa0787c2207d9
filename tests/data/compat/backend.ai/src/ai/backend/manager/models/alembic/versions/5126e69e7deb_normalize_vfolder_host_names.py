"""normalize vfolder host names

Revision ID: 5126e69e7deb
Revises: 76c0afd94baf
Create Date: 2024-06-24 16:51:12.684410

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5126e69e7deb"
down_revision = "76c0afd94baf"
branch_labels = None
depends_on = None

# Storage proxies used to be addressed as "proxy/volume" or "proxy:volume";
# every table that stores a host reference gets the colon form (more tables
# join this list as they gain host columns).
HOST_COLUMNS = {
    "vfolders": "host",
}


def upgrade() -> None:
    for table, column in HOST_COLUMNS.items():
        op.execute(
            f"UPDATE {table} SET {column} = replace({column}, '/', ':') "
            f"WHERE {column} LIKE '%/%'"
        )


def downgrade() -> None:
    for table, column in HOST_COLUMNS.items():
        op.execute(
            f"UPDATE {table} SET {column} = replace({column}, ':', '/') "
            f"WHERE {column} LIKE '%:%'"
        )
