"""initial core tables

Revision ID: 8f6b7cfc8893
Revises:
Create Date: 2024-01-08 10:21:44.512930

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "8f6b7cfc8893"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domains",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.Column("total_resource_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_domains")),
    )
    op.create_table(
        "users",
        sa.Column("uuid", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=64), nullable=True),
        sa.Column("password", sa.String(length=128), nullable=True),
        sa.Column("role", sa.String(length=32), server_default="user", nullable=True),
        sa.Column("domain_name", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.ForeignKeyConstraint(["domain_name"], ["domains.name"], name=op.f("fk_users_domain_name_domains")),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_email"), "users", ["email"], unique=False)
    op.create_table(
        "keypairs",
        sa.Column("user_id", sa.String(length=256), nullable=True),
        sa.Column("access_key", sa.String(length=20), nullable=False),
        sa.Column("secret_key", sa.String(length=40), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=True),
        sa.Column("ssh_public_key", sa.Text(), nullable=True),
        sa.Column("dotfiles", sa.LargeBinary(length=65536), server_default=sa.text("'\\x90'::bytea"), nullable=False),
        sa.Column("user", postgresql.UUID(as_uuid=True), nullable=True),
        sa.ForeignKeyConstraint(["user"], ["users.uuid"], name=op.f("fk_keypairs_user_users")),
        sa.PrimaryKeyConstraint("access_key", name=op.f("pk_keypairs")),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("scaling_group", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("addr", sa.String(length=128), nullable=False),
        sa.Column("available_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("occupied_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("first_contact", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.Column("lost_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("addr", name=op.f("uq_agents_addr")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("access_key", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=64), server_default="PENDING", nullable=False),
        sa.Column(
            "result",
            postgresql.ENUM("UNDEFINED", "SUCCESS", "FAILURE", name="sessionresult"),
            server_default="UNDEFINED",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.Column("terminated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["access_key"], ["keypairs.access_key"], name=op.f("fk_sessions_access_key_keypairs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_table(
        "kernels",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("session_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("agent", sa.String(length=64), nullable=True),
        sa.Column("image", sa.String(length=256), nullable=True),
        sa.Column("lang", sa.String(length=512), nullable=True),
        sa.Column("status", sa.String(length=64), server_default="PENDING", nullable=False),
        sa.Column("requested_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("occupied_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.Column("terminated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent"], ["agents.id"], name=op.f("fk_kernels_agent_agents")),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_kernels_session_id_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernels")),
    )
    op.create_table(
        "vfolders",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("user", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("group", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.ForeignKeyConstraint(["user"], ["users.uuid"], name=op.f("fk_vfolders_user_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vfolders")),
    )
    op.create_table(
        "vfolder_permissions",
        sa.Column("permission", sa.String(length=2), server_default="rw", nullable=True),
        sa.Column("vfolder", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("user", postgresql.UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(["vfolder"], ["vfolders.id"], name=op.f("fk_vfolder_permissions_vfolder_vfolders"), onupdate="CASCADE", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user"], ["users.uuid"], name=op.f("fk_vfolder_permissions_user_users")),
    )
    op.create_table(
        "keypair_resource_policies",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.Column("total_resource_slots", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("max_concurrent_sessions", sa.Integer(), nullable=False),
        sa.Column("idle_timeout", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_keypair_resource_policies")),
    )
    op.create_table(
        "agent_abuse_reports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("kernel_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_abuse_reports")),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id", postgresql.UUID(as_uuid=True), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("user_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )


def downgrade() -> None:
    op.drop_table("login_sessions")
    op.drop_table("agent_abuse_reports")
    op.drop_table("keypair_resource_policies")
    op.drop_table("vfolder_permissions")
    op.drop_table("vfolders")
    op.drop_table("kernels")
    op.drop_table("sessions")
    op.drop_table("agents")
    op.drop_table("keypairs")
    op.drop_index(op.f("ix_users_email"), table_name="users")
    op.drop_table("users")
    op.drop_table("domains")
    op.execute("DROP TYPE IF EXISTS sessionresult")
