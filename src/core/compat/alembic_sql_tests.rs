//! `op.execute` through the SQL reader: literal SQL, bare or in
//! `sa.text(…)`, is classed by what it does.

use super::read;
use super::tests::revision;
use crate::core::compat::{Compat, OpKind, Operation};

fn kinds(ops: &[Operation]) -> Vec<(OpKind, Compat)> {
    ops.iter().map(|o| (o.op, o.compat)).collect()
}

#[test]
fn execute_literal_sql_is_classed_by_its_sql() {
    let ops = read(&revision(
        "    op.execute(\"ALTER TABLE kernels DROP COLUMN lang\")\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::DropColumn, Compat::Contract)],
        "{ops:#?}"
    );
    assert_eq!(ops[0].table.as_deref(), Some("kernels"));
    assert_eq!(ops[0].column.as_deref(), Some("lang"));
}

#[test]
fn execute_sa_text_literal_is_read_too() {
    let ops = read(&revision(
        "    op.execute(\n        sa.text(\n            \"UPDATE sessions SET name = id::text \"\n            \"WHERE name IS NULL\"\n        )\n    )\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::UpdateRows, Compat::Expand)],
        "{ops:#?}"
    );
    let ops = read(&revision(
        "    with op.get_context().autocommit_block():\n        op.execute(text(\"ALTER TYPE sessionresult ADD VALUE IF NOT EXISTS 'CANCELLED'\"))\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::AlterType, Compat::Expand)],
        "{ops:#?}"
    );
}

#[test]
fn execute_delete_contracts() {
    let ops = read(&revision(
        "    op.execute(\"DELETE FROM kernels WHERE session_id NOT IN (SELECT id FROM sessions)\")\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::DeleteRows, Compat::Contract)],
        "{ops:#?}"
    );
}
