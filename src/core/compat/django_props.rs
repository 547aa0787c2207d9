//! Property tests of the Django reader: any text, and real-shaped
//! migrations cut and mangled, never panic; what does not parse is one
//! `unknown` operation carrying the parse error.

use super::read;
use super::tests::migration;
use crate::core::compat::python::tests::check_output;
use crate::core::compat::test_support::{config, mangled, token_soup};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "class Migration(migrations.Migration):\n",
    "    operations = [\n",
    "    ]\n",
    "migrations.AddField(",
    "migrations.AlterField(",
    "migrations.RunSQL(",
    "migrations.RunPython(",
    "migrations.SeparateDatabaseAndState(database_operations=",
    "migrations.RunSQL.noop",
    "model_name='testjob', ",
    "name='health', ",
    "field=models.IntegerField(",
    "default=1",
    "null=True",
    "db_default=0",
    "preserve_default=False",
    "'ALTER TABLE t DROP COLUMN c'",
    "\"\"\"SELECT 1;\"\"\"",
    "[",
    "]",
    "(",
    ")",
    ", ",
    "\n",
    "        ",
    "# comment\n",
    "from django.db import migrations, models\n",
    "f'{x}'",
    "\\",
];

fn samples() -> Vec<String> {
    [
        "        migrations.AddField(\n            model_name='device',\n            name='health',\n            field=models.IntegerField(choices=[(0, 'Good')], default=1),\n        ),\n",
        "        migrations.RunSQL(\n            sql=[(\"UPDATE lava_scheduler_app_testjob SET priority = %s\", [50])],\n            reverse_sql=migrations.RunSQL.noop,\n        ),\n        migrations.RunPython(forwards, migrations.RunPython.noop),\n",
        "        migrations.SeparateDatabaseAndState(\n            state_operations=[migrations.DeleteModel('Worker')],\n            database_operations=[migrations.RunSQL('ALTER TABLE x ALTER COLUMN y DROP NOT NULL')],\n        ),\n        migrations.AlterUniqueTogether(name='notificationrecipient', unique_together=set([('user', 'notification')])),\n",
    ]
    .into_iter()
    .map(migration)
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
    fn mangled_migrations_never_panic(text in mangled(samples())) {
        check_output(&text, &read(&text))?;
    }
}
