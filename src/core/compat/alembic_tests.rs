//! The Alembic reader, operation by operation, on Backend.AI-shaped revisions.

use super::*;
use crate::core::compat::test_support::{is, note};

/// A revision file as `alembic revision` writes it, with `body` as
/// `upgrade()`'s statements and a `downgrade()` that undoes them.
pub(super) fn revision(body: &str) -> String {
    format!(
        "\"\"\"add status column to vfolders\n\nRevision ID: 1f55a65cfc4f\nRevises: 35923972eddb\nCreate Date: 2022-09-06 11:25:26.192685\n\n\"\"\"\n\
         import sqlalchemy as sa\n\
         from alembic import op\n\
         from sqlalchemy.dialects import postgresql\n\
         \n\
         # revision identifiers, used by Alembic.\n\
         revision = \"1f55a65cfc4f\"\n\
         down_revision = \"35923972eddb\"\n\
         branch_labels = None\n\
         depends_on = None\n\
         \n\
         \n\
         def upgrade() -> None:\n{body}\n\
         \n\
         def downgrade() -> None:\n    op.drop_table(\"vfolders\")\n    op.drop_column(\"kernels\", \"status\")\n"
    )
}

fn one(body: &str) -> Operation {
    let ops = read(&revision(body));
    assert_eq!(ops.len(), 1, "{ops:#?}");
    ops.into_iter().next().expect("one operation")
}

#[test]
fn tables_created_expand_dropped_and_renamed_contract() {
    let op = one(
        "    op.create_table(\n        \"endpoints\",\n        sa.Column(\"id\", postgresql.UUID(as_uuid=True), server_default=sa.text(\"uuid_generate_v4()\"), nullable=False),\n        sa.Column(\"name\", sa.String(length=512), nullable=False, unique=True),\n        sa.PrimaryKeyConstraint(\"id\", name=op.f(\"pk_endpoints\")),\n    )\n",
    );
    is(
        &op,
        OpKind::CreateTable,
        Some("endpoints"),
        None,
        Compat::Expand,
    );
    is(
        &one("    op.drop_table(\"kernel_logs\")\n"),
        OpKind::DropTable,
        Some("kernel_logs"),
        None,
        Compat::Contract,
    );
    let op = one("    op.rename_table(\"groups\", \"projects\")\n");
    is(
        &op,
        OpKind::RenameTable,
        Some("groups"),
        None,
        Compat::Contract,
    );
    assert_eq!(note(&op), "to projects");
}

#[test]
fn add_column_nullable_by_default_is_expand() {
    let op = one(
        "    op.add_column(\"kernels\", sa.Column(\"internal_data\", postgresql.JSONB(), nullable=True))\n",
    );
    is(
        &op,
        OpKind::AddColumn,
        Some("kernels"),
        Some("internal_data"),
        Compat::Expand,
    );
    // SQLAlchemy columns are nullable unless told otherwise.
    let op = one("    op.add_column(\"agents\", sa.Column(\"version\", sa.String(length=64)))\n");
    is(
        &op,
        OpKind::AddColumn,
        Some("agents"),
        Some("version"),
        Compat::Expand,
    );
}

#[test]
fn trap_not_null_with_server_default_is_expand() {
    let op = one(
        "    op.add_column(\n        \"vfolders\",\n        sa.Column(\n            \"status\",\n            sa.Enum(*vfolderstatus_choices, name=\"vfolderstatus\"),\n            server_default=\"READY\",\n            nullable=False,\n        ),\n    )\n",
    );
    is(
        &op,
        OpKind::AddColumn,
        Some("vfolders"),
        Some("status"),
        Compat::Expand,
    );
}

#[test]
fn trap_not_null_without_server_default_is_contract() {
    for column in [
        "sa.Column(\"priority\", sa.Integer(), nullable=False)",
        // A client-side default leaves the database column without one.
        "sa.Column(\"priority\", sa.Integer(), default=10, nullable=False)",
    ] {
        let op = one(&format!("    op.add_column(\"sessions\", {column})\n"));
        is(
            &op,
            OpKind::AddColumn,
            Some("sessions"),
            Some("priority"),
            Compat::Contract,
        );
        assert_eq!(
            note(&op),
            "nullable=False needs server_default: default= is applied by SQLAlchemy, not the database"
        );
    }
}

#[test]
fn add_column_unique_primary_key_and_foreign_key() {
    let ops = read(&revision(
        "    op.add_column(\"users\", sa.Column(\"email\", sa.String(64), nullable=True, unique=True))\n",
    ));
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("users"),
        Some("email"),
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::AddUnique,
        Some("users"),
        Some("email"),
        Compat::Contract,
    );
    let op = one(
        "    op.add_column(\"agents\", sa.Column(\"uuid\", postgresql.UUID(), primary_key=True))\n",
    );
    is(
        &op,
        OpKind::AddPrimaryKey,
        Some("agents"),
        Some("uuid"),
        Compat::Contract,
    );
    let ops = read(&revision(
        "    op.add_column(\"sessions\", sa.Column(\"owner_id\", postgresql.UUID(as_uuid=True), sa.ForeignKey(\"users.uuid\"), nullable=True))\n",
    ));
    is(
        &ops[1],
        OpKind::AddForeignKey,
        Some("sessions"),
        Some("owner_id"),
        Compat::Expand,
    );
}

#[test]
fn drop_column_contracts() {
    let op = one("    op.drop_column(\"login_sessions\", \"expires_at\")\n");
    is(
        &op,
        OpKind::DropColumn,
        Some("login_sessions"),
        Some("expires_at"),
        Compat::Contract,
    );
}

#[test]
fn alter_column_gives_one_operation_per_change() {
    let op = one(
        "    op.alter_column(\"kernels\", \"status\", existing_type=postgresql.ENUM(\"PENDING\", name=\"kernelstatus\"), nullable=False, existing_server_default=sa.text(\"'PENDING'::kernelstatus\"))\n",
    );
    is(
        &op,
        OpKind::SetNotNull,
        Some("kernels"),
        Some("status"),
        Compat::Contract,
    );
    let op = one("    op.alter_column(\"kernels\", \"type\", nullable=True)\n");
    is(
        &op,
        OpKind::DropNotNull,
        Some("kernels"),
        Some("type"),
        Compat::Expand,
    );
    let op = one(
        "    op.alter_column(\"kernels\", \"image\", existing_type=sa.String(length=256), type_=sa.String(length=512))\n",
    );
    is(
        &op,
        OpKind::AlterColumnType,
        Some("kernels"),
        Some("image"),
        Compat::Contract,
    );
    let op =
        one("    op.alter_column(\"users\", \"modified_at\", new_column_name=\"updated_at\")\n");
    is(
        &op,
        OpKind::RenameColumn,
        Some("users"),
        Some("modified_at"),
        Compat::Contract,
    );
    let op = one(
        "    op.alter_column(\"users\", \"role\", server_default=None, existing_type=sa.String(length=64))\n",
    );
    is(
        &op,
        OpKind::DropDefault,
        Some("users"),
        Some("role"),
        Compat::Contract,
    );
    let op = one("    op.alter_column(\"users\", \"role\", server_default=sa.text(\"'user'\"))\n");
    is(
        &op,
        OpKind::SetDefault,
        Some("users"),
        Some("role"),
        Compat::Expand,
    );
    let op = one(
        "    op.alter_column(\"users\", \"role\", existing_type=sa.String(length=64), existing_nullable=True)\n",
    );
    is(
        &op,
        OpKind::AlterColumn,
        Some("users"),
        Some("role"),
        Compat::Unknown,
    );
    let ops = read(&revision(
        "    op.alter_column(\n        \"routings\",\n        \"traffic_status\",\n        type_=sa.VARCHAR(64),\n        existing_nullable=False,\n        server_default=sa.text(\"'active'\"),\n        postgresql_using=\"traffic_status::text\",\n    )\n",
    ));
    let kinds: Vec<OpKind> = ops.iter().map(|o| o.op).collect();
    assert_eq!(kinds, vec![OpKind::AlterColumnType, OpKind::SetDefault]);
}

#[test]
fn trap_create_index_locks_writes_unless_concurrent() {
    let op = one(
        "    op.create_index(op.f(\"ix_kernels_status_changed\"), \"kernels\", [\"status_changed\"], unique=False)\n",
    );
    is(
        &op,
        OpKind::CreateIndex,
        Some("kernels"),
        Some("status_changed"),
        Compat::Expand,
    );
    assert_eq!(note(&op), "locks writes while it builds");
    let op = one(
        "    with op.get_context().autocommit_block():\n        op.create_index(\n            \"ix_sessions_created_at\",\n            \"sessions\",\n            [\"created_at\"],\n            postgresql_concurrently=True,\n        )\n",
    );
    is(
        &op,
        OpKind::CreateIndex,
        Some("sessions"),
        Some("created_at"),
        Compat::Expand,
    );
    assert_eq!(op.note, None);
    let op = one(
        "    op.create_index(\"ix_agents_addr\", \"agents\", [\"addr\"], unique=True, postgresql_concurrently=True)\n",
    );
    is(
        &op,
        OpKind::AddUnique,
        Some("agents"),
        Some("addr"),
        Compat::Contract,
    );
}

#[test]
fn indexes_and_constraints_dropped_expand() {
    let ops = read(&revision(
        "    op.drop_index(\"ix_kernels_updated_order\", table_name=\"kernels\")\n    op.drop_constraint(\"uq_agents_addr\", \"agents\", type_=\"unique\")\n",
    ));
    is(
        &ops[0],
        OpKind::DropIndex,
        Some("kernels"),
        None,
        Compat::Expand,
    );
    is(
        &ops[1],
        OpKind::DropConstraint,
        Some("agents"),
        None,
        Compat::Expand,
    );
}

#[test]
fn constraints_added() {
    let op = one(
        "    op.create_unique_constraint(\"uq_keypairs_ssh\", \"keypairs\", [\"ssh_public_key\"])\n",
    );
    is(
        &op,
        OpKind::AddUnique,
        Some("keypairs"),
        Some("ssh_public_key"),
        Compat::Contract,
    );
    let op = one(
        "    op.create_foreign_key(op.f(\"fk_images_registry_id\"), \"images\", \"container_registries\", [\"registry_id\"], [\"id\"])\n",
    );
    is(
        &op,
        OpKind::AddForeignKey,
        Some("images"),
        Some("registry_id"),
        Compat::Expand,
    );
    assert_eq!(note(&op), "old writes must reference existing rows");
    let op = one(
        "    op.create_check_constraint(\"ck_slots_positive\", \"agents\", \"available_slots >= 0\")\n",
    );
    is(
        &op,
        OpKind::AddCheck,
        Some("agents"),
        None,
        Compat::Contract,
    );
    let op = one(
        "    op.create_primary_key(\"pk_vfolder_permissions\", \"vfolder_permissions\", [\"id\"])\n",
    );
    is(
        &op,
        OpKind::AddPrimaryKey,
        Some("vfolder_permissions"),
        Some("id"),
        Compat::Contract,
    );
    let op = one(
        "    op.create_exclude_constraint(\"excl_reservations\", \"reservations\", (\"room\", \"=\"), (\"during\", \"&&\"))\n",
    );
    is(
        &op,
        OpKind::AddCheck,
        Some("reservations"),
        None,
        Compat::Contract,
    );
}

#[test]
fn batch_alter_table_takes_its_table_from_the_with() {
    let ops = read(&revision(
        "    with op.batch_alter_table(\"agents\", schema=None) as batch_op:\n        batch_op.add_column(sa.Column(\"auto_terminate_abusing_kernel\", sa.Boolean(), server_default=sa.false(), nullable=False))\n        batch_op.drop_column(\"clusterized\")\n        batch_op.create_index(\"ix_agents_region\", [\"region\"])\n        batch_op.alter_column(\"addr\", type_=sa.String(length=256))\n        batch_op.drop_constraint(\"uq_agents_addr\", type_=\"unique\")\n",
    ));
    let got: Vec<(OpKind, Option<&str>, Option<&str>, Compat)> = ops
        .iter()
        .map(|o| (o.op, o.table.as_deref(), o.column.as_deref(), o.compat))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                OpKind::AddColumn,
                Some("agents"),
                Some("auto_terminate_abusing_kernel"),
                Compat::Expand
            ),
            (
                OpKind::DropColumn,
                Some("agents"),
                Some("clusterized"),
                Compat::Contract
            ),
            (
                OpKind::CreateIndex,
                Some("agents"),
                Some("region"),
                Compat::Expand
            ),
            (
                OpKind::AlterColumnType,
                Some("agents"),
                Some("addr"),
                Compat::Contract
            ),
            (OpKind::DropConstraint, Some("agents"), None, Compat::Expand),
        ]
    );
}

#[test]
fn bulk_insert_inserts_rows_into_the_defined_table() {
    let op = one(
        "    roles = sa.table(\"roles\", sa.column(\"name\", sa.String), sa.column(\"builtin\", sa.Boolean))\n    op.bulk_insert(roles, [{\"name\": \"admin\", \"builtin\": True}, {\"name\": \"user\", \"builtin\": True}])\n",
    );
    is(&op, OpKind::InsertRows, Some("roles"), None, Compat::Expand);
}

#[test]
fn dynamic_sql_and_code_are_unknown() {
    let op = one(
        "    op.execute(sa.text(f\"UPDATE {table} SET {column} = now() WHERE {column} IS NULL\"))\n",
    );
    is(&op, OpKind::RunCode, None, None, Compat::Unknown);
    assert!(note(&op).starts_with("dynamic SQL"), "{op:?}");
    let op = one("    op.execute(UPDATE_QUERY)\n");
    assert!(note(&op).starts_with("dynamic SQL"), "{op:?}");
    let ops = read(&revision(
        "    conn = op.get_bind()\n    rows = conn.execute(sa.text(\"SELECT id FROM users\")).fetchall()\n    for row in rows:\n        conn.execute(sa.text(\"UPDATE users SET x = 1 WHERE id = :id\"), {\"id\": row.id})\n",
    ));
    assert_eq!(ops.len(), 3, "one per statement: {ops:#?}");
    assert!(
        ops.iter()
            .all(|o| o.op == OpKind::RunCode && o.compat == Compat::Unknown)
    );
    assert!(ops.iter().all(|o| note(o).starts_with("arbitrary code")));
    let op = one("    vfolderstatus.create(op.get_bind())\n");
    is(&op, OpKind::RunCode, None, None, Compat::Unknown);
    let op = one("    op.get_bind()\n");
    is(&op, OpKind::RunCode, None, None, Compat::Unknown);
    let op = one("    migrate_container_registries(op.get_bind())\n");
    assert_eq!(note(&op), "arbitrary code: migrate_container_registries");
}

#[test]
fn op_calls_inside_code_still_count() {
    // Backend.AI's loops over tables: the loop is code, and the renames it
    // makes still break the previous release.
    let ops = read(&revision(
        "    for table in _RENAMED_TABLES:\n        op.alter_column(table, \"modified_at\", new_column_name=\"updated_at\")\n        log.info(\"renamed %s\", table)\n",
    ));
    assert_eq!(ops.len(), 2, "{ops:#?}");
    is(&ops[0], OpKind::RunCode, None, None, Compat::Unknown);
    is(
        &ops[1],
        OpKind::RenameColumn,
        None,
        Some("modified_at"),
        Compat::Contract,
    );
}

#[test]
fn definitions_for_later_op_calls_are_not_operations() {
    let ops = read(&revision(
        "    kernelstatus = postgresql.ENUM(\"PENDING\", \"RUNNING\", name=\"kernelstatus\")\n    statuses = [\"PENDING\", \"RUNNING\"]\n    op.add_column(\"kernels\", sa.Column(\"status\", kernelstatus, nullable=True))\n",
    ));
    assert_eq!(ops.len(), 1, "{ops:#?}");
    is(
        &ops[0],
        OpKind::AddColumn,
        Some("kernels"),
        Some("status"),
        Compat::Expand,
    );
}

#[test]
fn unknown_op_methods_are_not_understood() {
    let op = one("    op.replace_entity(my_function)\n");
    is(&op, OpKind::NotUnderstood, None, None, Compat::Unknown);
    assert_eq!(note(&op), "op.replace_entity not understood");
}

#[test]
fn downgrade_never_counts() {
    // downgrade() drops a table and a column; upgrade() adds a nullable one.
    let ops = read(&revision(
        "    op.add_column(\"kernels\", sa.Column(\"status\", sa.String(64), nullable=True))\n",
    ));
    assert_eq!(ops.len(), 1);
    let classification = super::super::classify(
        super::super::Reader::Alembic,
        "versions/1f55a65cfc4f_add_status.py",
        &revision(
            "    op.add_column(\"kernels\", sa.Column(\"status\", sa.String(64), nullable=True))\n",
        ),
        None,
    );
    assert_eq!(classification.compat, Compat::Expand);
}

#[test]
fn docstrings_comments_and_markers_are_nothing() {
    let ops = read(&revision(
        "    \"\"\"Adds nothing yet.\"\"\"\n    # ### commands auto generated by Alembic - please adjust! ###\n    pass\n    # ### end Alembic commands ###\n",
    ));
    assert_eq!(ops, vec![]);
}

#[test]
fn a_merge_revision_is_empty() {
    let text = "\"\"\"merge heads a2f6b90c41d7 and 55e0c3669e2e\n\nRevision ID: 01dcbd1aa1bb\nRevises: a2f6b90c41d7, 55e0c3669e2e\n\n\"\"\"\n\n# revision identifiers, used by Alembic.\nrevision = \"01dcbd1aa1bb\"\ndown_revision = (\"a2f6b90c41d7\", \"55e0c3669e2e\")\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n";
    assert_eq!(read(text), vec![]);
}

#[test]
fn a_file_without_upgrade_is_not_understood() {
    let ops = read(
        "\"\"\"env helpers\"\"\"\nfrom alembic import op\n\n\ndef downgrade():\n    op.drop_table(\"x\")\n",
    );
    assert_eq!(ops.len(), 1);
    is(&ops[0], OpKind::NotUnderstood, None, None, Compat::Unknown);
    assert_eq!(note(&ops[0]), "no upgrade()");
}

#[test]
fn malformed_python_is_a_parse_error() {
    let ops = read(&revision(
        "    op.add_column(\"kernels\", sa.Column(\"status\"\n",
    ));
    assert_eq!(ops.len(), 1, "{ops:#?}");
    is(&ops[0], OpKind::NotUnderstood, None, None, Compat::Unknown);
    assert!(note(&ops[0]).starts_with("parse error at line "), "{ops:?}");
}
