//! Property tests of the Alembic reader: any text, and real-shaped
//! revisions cut and mangled, never panic; what does not parse is one
//! `unknown` operation carrying the parse error.

use super::read;
use super::tests::revision;
use crate::core::compat::python::tests::check_output;
use crate::core::compat::test_support::{config, mangled, token_soup};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "def upgrade():\n",
    "def downgrade():\n",
    "    ",
    "op.add_column(",
    "op.alter_column(",
    "op.execute(",
    "op.create_index(",
    "with op.batch_alter_table(\"agents\") as batch_op:\n",
    "with op.get_context().autocommit_block():\n",
    "batch_op.drop_column(",
    "sa.Column(\"status\", sa.String(64), ",
    "sa.text(",
    "nullable=False",
    "server_default=None",
    "postgresql_concurrently=True",
    "\"kernels\"",
    "'DROP TABLE x'",
    "conn = op.get_bind()\n",
    "for t in TABLES:\n",
    "(",
    ")",
    "[",
    "]",
    ", ",
    "\n",
    "pass\n",
    "\"\"\"doc\"\"\"\n",
];

fn samples() -> Vec<String> {
    [
        "    op.add_column(\n        \"vfolders\",\n        sa.Column(\"status\", sa.Enum(*choices, name=\"vfolderstatus\"), server_default=\"READY\", nullable=False),\n    )\n    op.create_index(op.f(\"ix_vfolders_status\"), \"vfolders\", [\"status\"], unique=False)\n",
        "    with op.batch_alter_table(\"agents\", schema=None) as batch_op:\n        batch_op.drop_column(\"clusterized\")\n    op.execute(sa.text(\"ALTER TYPE sessionresult ADD VALUE 'CANCELLED'\"))\n",
        "    conn = op.get_bind()\n    for table in TABLES:\n        op.alter_column(table, \"modified_at\", new_column_name=\"updated_at\")\n    with op.get_context().autocommit_block():\n        op.create_index(\"ix_sessions_created_at\", \"sessions\", [\"created_at\"], postgresql_concurrently=True)\n",
    ]
    .into_iter()
    .map(revision)
    .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_never_panics(text in "\\PC*") {
        check_output(&text, &read(&text))?;
    }

    #[test]
    fn token_soup_never_panics(text in token_soup(TOKENS)) {
        check_output(&text, &read(&text))?;
    }

    #[test]
    fn mangled_revisions_never_panic(text in mangled(samples())) {
        check_output(&text, &read(&text))?;
    }
}
