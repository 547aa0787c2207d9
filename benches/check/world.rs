//! The project the bench checks, on the fake GitLab or the fake GitHub: two
//! releases ahead (in 5 and 40 days) and one MR adding a Django migration,
//! with what `check` and danger-js need to reach it.

use crate::fake_github::state::{Access, PrFile};
use crate::fake_github::{FakeGitHub, PullSeed};
use crate::fake_gitlab::{Diff, FakeGitLab, READ_ONLY_TOKEN, TOKEN};
use chrono::{Days, Utc};
use std::time::Duration;

pub const MIGRATION: &str = "app/migrations/0042_add_field.py";
const LINES: [&str; 3] = [
    "from django.db import migrations, models",
    "class Migration(migrations.Migration):",
    "    operations = [migrations.AddField(model_name=\"job\", name=\"p\", field=models.IntegerField(default=0))]",
];
const SHA: &str = "a000000000000000000000000000000000000001";
const GITHUB_RW: &str = "ghp_read_write";
const GITHUB_RO: &str = "ghp_read_only";

fn due(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

const PROJECT: &str = "[[project]]\nforge = \"FORGE\"\npath = \"lava/lava\"\n\
                       rule_packs = [\"django\"]\nreleases = { scheme = \"calver\" }\n\
                       gate = { require_announcement = false }\n";

/// One fake forge seeded with the project.
pub enum World {
    GitLab { fake: FakeGitLab },
    GitHub { fake: FakeGitHub, number: u64 },
}

impl World {
    pub async fn gitlab() -> World {
        let fake = FakeGitLab::start().await;
        fake.add_group("lava");
        let project = fake.add_project("lava/lava");
        fake.add_milestone(Some(project), None, "2026.11", "active", Some(&due(5)));
        fake.add_milestone(Some(project), None, "2026.12", "active", Some(&due(40)));
        fake.add_merge_request(project, 1, SHA, vec![Diff::added(MIGRATION, &LINES)]);
        fake.add_file(project, SHA, MIGRATION, &LINES.join("\n"));
        World::GitLab { fake }
    }

    pub async fn github() -> World {
        let fake = FakeGitHub::start().await;
        fake.add_repo("lava", "lava");
        fake.add_token(GITHUB_RW, Access::ReadWrite);
        fake.add_token(GITHUB_RO, Access::ReadOnly);
        let on = |days| format!("{}T08:00:00Z", due(days));
        fake.add_milestone("lava/lava", "2026.11", "open", Some(&on(5)));
        fake.add_milestone("lava/lava", "2026.12", "open", Some(&on(40)));
        let number = fake.add_pull(
            "lava/lava",
            PullSeed {
                title: "Add a priority",
                body: "",
                head_sha: SHA,
                labels: &[],
                milestone: None,
            },
        );
        let patch = format!(
            "@@ -0,0 +1,{} @@\n{}",
            LINES.len(),
            LINES.iter().map(|l| format!("+{l}\n")).collect::<String>()
        );
        fake.set_files(
            "lava/lava",
            number,
            vec![PrFile {
                filename: MIGRATION.into(),
                status: "added".into(),
                previous_filename: None,
                patch: Some(patch),
            }],
        );
        fake.set_content("lava/lava", SHA, MIGRATION, &LINES.join("\n"));
        World::GitHub { fake, number }
    }

    pub fn name(&self) -> &'static str {
        match self {
            World::GitLab { .. } => "GitLab",
            World::GitHub { .. } => "GitHub",
        }
    }

    pub fn number(&self) -> u64 {
        match self {
            World::GitLab { .. } => 1,
            World::GitHub { number, .. } => *number,
        }
    }

    /// The project's `schemagate.toml`.
    pub fn config(&self) -> String {
        match self {
            World::GitLab { fake, .. } => format!(
                "[gitlab]\nurl = \"{}\"\ntoken_env = \"FORGE_TOKEN\"\n\n{}",
                fake.url,
                PROJECT.replace("FORGE", "gitlab")
            ),
            World::GitHub { fake, .. } => format!(
                "[github]\napi_url = \"{}\"\ntoken_env = \"FORGE_TOKEN\"\n\n{}",
                fake.base_url(),
                PROJECT.replace("FORGE", "github")
            ),
        }
    }

    /// The token `check` runs with (`FORGE_TOKEN`).
    pub fn token(&self, write: bool) -> &'static str {
        match (self, write) {
            (World::GitLab { .. }, true) => TOKEN,
            (World::GitLab { .. }, false) => READ_ONLY_TOKEN,
            (World::GitHub { .. }, true) => GITHUB_RW,
            (World::GitHub { .. }, false) => GITHUB_RO,
        }
    }

    /// Every answer `delay` late (`None`: loopback speed).
    pub fn set_delay(&self, delay: Option<Duration>) {
        match self {
            World::GitLab { fake, .. } => fake.set_delay(delay),
            World::GitHub { fake, .. } => fake.set_delay(delay),
        }
    }

    pub fn reset_requests(&self) {
        match self {
            World::GitLab { fake, .. } => fake.reset_requests(),
            World::GitHub { fake, .. } => fake.clear_requests(),
        }
    }

    /// (reads, writes) since the last reset.
    pub fn requests(&self) -> (usize, usize) {
        let methods: Vec<String> = match self {
            World::GitLab { fake, .. } => fake
                .state()
                .requests
                .iter()
                .map(|r| r.method.clone())
                .collect(),
            World::GitHub { fake, .. } => fake.requests().into_iter().map(|r| r.method).collect(),
        };
        let reads = methods.iter().filter(|m| *m == "GET").count();
        (reads, methods.len() - reads)
    }

    /// The round trips on the critical path since the last reset.
    pub fn round_trips(&self) -> usize {
        match self {
            World::GitLab { fake, .. } => fake.round_trips_before(|_, _| false),
            World::GitHub { fake, .. } => fake.round_trips_before(|_, _| false),
        }
    }

    /// The environment and PR URL `danger pr` needs to reach this forge.
    pub fn danger_target(&self) -> (Vec<(&'static str, String)>, String) {
        match self {
            World::GitLab { fake, .. } => (
                vec![
                    ("DANGER_GITLAB_HOST", fake.url.clone()),
                    ("DANGER_GITLAB_API_TOKEN", READ_ONLY_TOKEN.to_string()),
                ],
                format!("{}/lava/lava/-/merge_requests/1", fake.url),
            ),
            World::GitHub { fake, number, .. } => (
                vec![
                    ("DANGER_GITHUB_API_BASE_URL", fake.base_url().to_string()),
                    ("DANGER_GITHUB_API_TOKEN", GITHUB_RO.to_string()),
                ],
                format!("https://github.com/lava/lava/pull/{number}"),
            ),
        }
    }
}
