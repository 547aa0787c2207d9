"""migrate container registries from etcd

Revision ID: 5eda9837df90
Revises: e88d45e7e577
Create Date: 2024-03-04 10:55:31.448120

"""

import json
import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5eda9837df90"
down_revision = "e88d45e7e577"
branch_labels = None
depends_on = None

metadata = sa.MetaData()

container_registries = sa.Table(
    "container_registries",
    metadata,
    sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
    sa.Column("url", sa.String(length=512)),
    sa.Column("registry_name", sa.String(length=50)),
    sa.Column("type", sa.String(length=32)),
    sa.Column("project", sa.String(length=255)),
    sa.Column("username", sa.String(length=255)),
    sa.Column("password", sa.String()),
    sa.Column("ssl_verify", sa.Boolean()),
)


def _registries_from_config(raw: str) -> list[dict]:
    rows = []
    for hostname, item in json.loads(raw).items():
        for project in item.get("project", "").split(","):
            rows.append({
                "id": uuid.uuid4(),
                "url": item[""],
                "registry_name": hostname,
                "type": item.get("type", "docker"),
                "project": project or None,
                "username": item.get("username"),
                "password": item.get("password"),
                "ssl_verify": item.get("ssl_verify", True),
            })
    return rows


def upgrade() -> None:
    conn = op.get_bind()
    raw = conn.execute(
        sa.text("SELECT value FROM config_snapshots WHERE key = 'container_registry'")
    ).scalar()
    if raw is None:
        return
    rows = _registries_from_config(raw)
    if rows:
        conn.execute(container_registries.insert(), rows)


def downgrade() -> None:
    op.execute("DELETE FROM container_registries")
