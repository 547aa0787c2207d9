//! `RunSQL` through the SQL reader: literal SQL is classed by what it does.

use super::read;
use super::tests::migration;
use crate::core::compat::{Compat, OpKind, Operation};

fn kinds(ops: &[Operation]) -> Vec<(OpKind, Compat)> {
    ops.iter().map(|o| (o.op, o.compat)).collect()
}

#[test]
fn run_sql_literal_is_classed_by_its_sql() {
    let ops = read(&migration(
        "        migrations.RunSQL(\n            sql=\"ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN priority SET DEFAULT 50\",\n            reverse_sql=\"ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN priority DROP DEFAULT\",\n        ),\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::SetDefault, Compat::Expand)],
        "{ops:#?}"
    );
    assert_eq!(ops[0].table.as_deref(), Some("lava_scheduler_app_testjob"));
    let ops = read(&migration(
        "        migrations.RunSQL(\n            \"\"\"\n            DROP TABLE lava_scheduler_app_devicestatetransition;\n            \"\"\",\n            migrations.RunSQL.noop,\n        ),\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::DropTable, Compat::Contract)],
        "{ops:#?}"
    );
}

#[test]
fn run_sql_list_reads_each_statement_and_pair() {
    let ops = read(&migration(
        "        migrations.RunSQL(\n            sql=[\n                \"CREATE INDEX testjob_health_idx ON lava_scheduler_app_testjob (health)\",\n                (\"DELETE FROM lava_scheduler_app_testjob WHERE health = %s\", [3]),\n            ],\n            reverse_sql=[\"DROP INDEX testjob_health_idx\"],\n        ),\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![
            (OpKind::CreateIndex, Compat::Expand),
            (OpKind::DeleteRows, Compat::Contract)
        ],
        "{ops:#?}"
    );
}

#[test]
fn separate_database_and_state_classes_the_database_sql() {
    // LAVA's pattern: state drops the field, the database only relaxes it.
    let ops = read(&migration(
        "        migrations.SeparateDatabaseAndState(\n            state_operations=[\n                migrations.RemoveField(model_name='testjob', name='original_definition'),\n            ],\n            database_operations=[\n                migrations.RunSQL(\n                    'ALTER TABLE lava_scheduler_app_testjob ALTER COLUMN original_definition DROP NOT NULL',\n                    reverse_sql=migrations.RunSQL.noop,\n                ),\n            ],\n        ),\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::DropNotNull, Compat::Expand)],
        "{ops:#?}"
    );
}

#[test]
fn placeholders_of_sql_with_params_become_values() {
    assert_eq!(
        super::bind_placeholders(
            "UPDATE t SET a = %s, b = %(name)s WHERE c LIKE 'x%%' AND d = '%'"
        ),
        "UPDATE t SET a = NULL, b = NULL WHERE c LIKE 'x%' AND d = '%'"
    );
    // Without params Django leaves the text as written.
    let ops = read(&migration(
        "        migrations.RunSQL([(\"UPDATE lava_scheduler_app_testjob SET health = 0 WHERE description LIKE '%%x'\", None)]),\n",
    ));
    assert_eq!(
        kinds(&ops),
        vec![(OpKind::UpdateRows, Compat::Expand)],
        "{ops:#?}"
    );
}
