//! `schemagate check` end to end: the real binary against the fake forges,
//! with read-only and write tokens, `--apply` twice, the history deciding
//! who owns a label, and the environments GitLab CI and GitHub Actions set.

pub mod ci;
mod github;
mod gitlab;
mod serverless;

use chrono::{Days, Utc};

/// The project's settings, as a project would commit them.
pub fn project(forge: &str) -> String {
    format!(
        "[[project]]\nforge = \"{forge}\"\npath = \"lava/lava\"\nrule_packs = [\"django\"]\n\
         releases = {{ scheme = \"calver\" }}\nbatch = {{ lead_time = \"14d\" }}\n\
         gate = {{ require_announcement = false }}\n"
    )
}

/// Due dates: the next release in 5 days, the one after in 40.
pub fn due(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

pub const MIGRATION: &str = "app/migrations/0042_add_field.py";

pub fn migration_lines() -> Vec<&'static str> {
    vec![
        "from django.db import migrations, models",
        "",
        "class Migration(migrations.Migration):",
        "    dependencies = [(\"app\", \"0041_previous\")]",
        "    operations = [",
        "        migrations.AddField(model_name=\"job\", name=\"priority\", field=models.IntegerField(default=0)),",
        "    ]",
    ]
}
