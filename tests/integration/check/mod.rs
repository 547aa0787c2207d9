//! `schemagate check` end to end: the real binary against the fake forges,
//! with read-only and write tokens, `--apply` twice, the history deciding
//! who owns a label, and the environments GitLab CI and GitHub Actions set.

pub mod ci;
mod github;
mod gitlab;
mod round_trips;
mod serverless;
mod serverless_faults;

use crate::fake_github::state::PrFile;
use crate::fake_github::{FakeGitHub, PullSeed};
use chrono::{Days, Utc};

/// The project's settings, as a project would commit them.
pub fn project(forge: &str) -> String {
    format!(
        "[[project]]\nforge = \"{forge}\"\npath = \"lava/lava\"\nrule_packs = [\"django\"]\n\
         releases = {{ scheme = \"calver\" }}\nbatch = {{ lead_time = \"14d\" }}\n\
         gate = {{ require_announcement = false }}\n"
    )
}

/// A configuration like `config/example.toml`: both forges configured (a
/// project mirrored on GitLab and GitHub), each forge section naming its
/// own token variable, which a CI job of the other forge does not set.
pub fn two_forge_config(gitlab_url: &str, github_api_url: &str) -> String {
    format!(
        "[gitlab]\nurl = \"{gitlab_url}\"\ntoken_env = \"GITLAB_TOKEN\"\n\
         webhook_secret_env = \"GITLAB_WEBHOOK_SECRET\"\n\n\
         [github]\napi_url = \"{github_api_url}\"\ntoken_env = \"GITHUB_TOKEN\"\n\
         webhook_secret_env = \"GITHUB_WEBHOOK_SECRET\"\n\n{}\n{}",
        project("gitlab"),
        project("github")
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

/// A fake GitHub with `lava/lava`, releases 2026.11 (in 5 days) and 2026.12
/// (in 40), and one open pull request at `sha` adding the migration (with
/// its patch when `with_patch`, else GitHub's "too large" shape); its number.
pub fn seed_github(fake: &FakeGitHub, sha: &str, with_patch: bool) -> u64 {
    fake.add_repo("lava", "lava");
    for (title, days) in [("2026.11", 5), ("2026.12", 40)] {
        let due_on = format!("{}T08:00:00Z", due(days));
        fake.add_milestone("lava/lava", title, "open", Some(&due_on));
    }
    let number = fake.add_pull(
        "lava/lava",
        PullSeed {
            title: "Add a priority",
            body: "",
            head_sha: sha,
            labels: &[],
            milestone: None,
        },
    );
    let lines = migration_lines();
    let patch = format!(
        "@@ -0,0 +1,{} @@\n{}",
        lines.len(),
        lines.iter().map(|l| format!("+{l}\n")).collect::<String>()
    );
    fake.set_files(
        "lava/lava",
        number,
        vec![PrFile {
            filename: MIGRATION.into(),
            status: "added".into(),
            previous_filename: None,
            patch: with_patch.then_some(patch),
        }],
    );
    fake.set_content("lava/lava", sha, MIGRATION, &lines.join("\n"));
    number
}
