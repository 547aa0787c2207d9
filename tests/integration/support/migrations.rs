//! Migration texts as the frameworks write them, for the conflict tests:
//! a Django migration with its same-app dependencies and an Alembic
//! revision with its `down_revision`.

/// A Django migration of `lava_scheduler_app` depending on `parents`.
pub fn django(name: &str, parents: &[&str]) -> String {
    let deps: String = parents
        .iter()
        .map(|p| format!("        (\"lava_scheduler_app\", \"{p}\"),\n"))
        .collect();
    format!(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [\n{deps}        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n    ]\n\n    operations = [\n        migrations.AddField(model_name=\"device\", name=\"f_{name}\", field=models.IntegerField(null=True)),\n    ]\n"
    )
}

/// An Alembic revision; `down` is written as is (`None`, `"a1"`, a tuple).
pub fn alembic(revision: &str, down: &str) -> String {
    format!(
        "\"\"\"step {revision}\n\nRevision ID: {revision}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"{revision}\"\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column(\"jobs\", sa.Column(\"c_{revision}\", sa.Integer()))\n\n\ndef downgrade():\n    op.drop_column(\"jobs\", \"c_{revision}\")\n"
    )
}
