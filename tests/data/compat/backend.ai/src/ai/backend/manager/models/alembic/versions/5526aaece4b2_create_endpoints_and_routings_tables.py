"""create endpoints and routings tables

Revision ID: 5526aaece4b2
Revises: 8f6b7cfc8893
Create Date: 2024-01-15 14:02:11.087342

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "5526aaece4b2"
down_revision = "8f6b7cfc8893"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endpoints",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("created_user", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("session_owner", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("image", sa.String(length=512), nullable=False),
        sa.Column("model", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("domain", sa.String(length=64), nullable=False),
        sa.Column("project", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("resource_group", sa.String(length=64), nullable=False),
        sa.Column("desired_session_count", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=True),
        sa.Column("open_to_public", sa.Boolean(), server_default=sa.false(), nullable=True),
        sa.Column("resource_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["created_user"], ["users.uuid"], name=op.f("fk_endpoints_created_user_users"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["domain"], ["domains.name"], name=op.f("fk_endpoints_domain_domains"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["model"], ["vfolders.id"], name=op.f("fk_endpoints_model_vfolders"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endpoints")),
    )
    op.create_index(op.f("ix_endpoints_project"), "endpoints", ["project"], unique=False)
    op.create_table(
        "routings",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("endpoint", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("session", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column(
            "status",
            postgresql.ENUM(
                "HEALTHY", "UNHEALTHY", "PROVISIONING", "TERMINATING", "FAILED_TO_START",
                name="routestatus",
            ),
            nullable=False,
        ),
        sa.Column("traffic_ratio", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.ForeignKeyConstraint(["endpoint"], ["endpoints.id"], name=op.f("fk_routings_endpoint_endpoints"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session"], ["sessions.id"], name=op.f("fk_routings_session_sessions"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routings")),
    )


def downgrade() -> None:
    op.drop_table("routings")
    op.execute("DROP TYPE IF EXISTS routestatus")
    op.drop_index(op.f("ix_endpoints_project"), table_name="endpoints")
    op.drop_table("endpoints")
