//! The `serve` binary as operators run it: killed with SIGKILL mid-work and
//! restarted (nothing lost, nothing applied twice), and two processes
//! sharing one PostgreSQL (no job worked twice). Both drive real processes
//! against the fake GitLab over loopback.

mod crash;
mod mail;
mod stolen_lease;
mod two_on_postgres;

use crate::fake_gitlab::state::Noteable;
use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use crate::support::serve::post;
use crate::support::webhooks::gitlab::{self as hooks, MrAction};
use crate::support::webhooks::{Delivery, GITLAB_SECRET};
use chrono::{Duration as Days, Utc};
use schemagate::config::{DatabaseKind, DatabaseUrl};
use schemagate::store::{QueueDepth, Store};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PROJECT: &str = "lava/lava";
pub const LABEL: &str = "Database changes";
const TOKEN_ENV: &str = "SG_REPLICA_GITLAB_TOKEN";
const SECRET_ENV: &str = "SG_REPLICA_GITLAB_SECRET";

/// The fake GitLab seeded like LAVA: releases 2026.11 (due in 5 days, the
/// next) and 2026.12 (due in 40, where a new batch goes), and merge requests
/// of which every `db_every`-th adds a Django migration.
pub struct World {
    pub fake: FakeGitLab,
    pub project: u64,
    pub batch_milestone: u64,
    pub merge_requests: Vec<Mr>,
}

pub struct Mr {
    pub iid: u64,
    pub sha: String,
    pub db_change: bool,
}

impl World {
    pub async fn seed(count: u64, db_every: u64) -> World {
        let fake = FakeGitLab::start().await;
        fake.add_group("lava");
        let project = fake.add_project(PROJECT);
        let today = Utc::now().date_naive();
        let due = |days| (today + Days::days(days)).format("%Y-%m-%d").to_string();
        fake.add_milestone(Some(project), None, "2026.11", "active", Some(&due(5)));
        let batch_milestone =
            fake.add_milestone(Some(project), None, "2026.12", "active", Some(&due(40)));
        let mut merge_requests = Vec::new();
        for iid in 1..=count {
            let sha = format!("{iid:040x}");
            let db_change = iid % db_every == 0;
            let (path, text) = if db_change {
                (
                    format!(
                        "lava_scheduler_app/migrations/{:04}_add_field_{iid}.py",
                        100 + iid
                    ),
                    django_migration(iid),
                )
            } else {
                (
                    format!("lava_server/views_{iid}.py"),
                    "def view(request):\n    return None\n".to_string(),
                )
            };
            let lines: Vec<&str> = text.lines().collect();
            fake.add_merge_request(project, iid, &sha, vec![Diff::added(&path, &lines)]);
            fake.add_file(project, &sha, &path, &text);
            merge_requests.push(Mr {
                iid,
                sha,
                db_change,
            });
        }
        World {
            fake,
            project,
            batch_milestone,
            merge_requests,
        }
    }

    /// An "MR opened" delivery, rendered from the fake's state.
    pub fn opened(&self, iid: u64) -> Delivery {
        hooks::merge_request(&self.fake, self.project, iid, MrAction::Open)
    }

    /// Asserts the state every event's effect must converge to: a database
    /// change carries the label once, the batch milestone, exactly one bot
    /// comment and a failing status (2026.12 is ahead of the next release);
    /// any other MR passes without a comment.
    pub fn assert_converged(&self) {
        for mr in &self.merge_requests {
            let labels = self.fake.mr_labels(self.project, mr.iid);
            let notes = self
                .fake
                .bot_notes_on(self.project, Noteable::MergeRequest, mr.iid);
            let status = self
                .fake
                .latest_status(self.project, &mr.sha, schemagate::forge::STATUS_NAME)
                .unwrap_or_else(|| panic!("!{} has no status", mr.iid));
            if mr.db_change {
                assert_eq!(
                    labels.iter().filter(|l| *l == LABEL).count(),
                    1,
                    "!{} labels {labels:?}",
                    mr.iid
                );
                assert_eq!(
                    self.fake
                        .mr_milestone_title(self.project, mr.iid)
                        .as_deref(),
                    Some("2026.12"),
                    "!{} milestone",
                    mr.iid
                );
                assert_eq!(notes.len(), 1, "!{} bot comments: {notes:#?}", mr.iid);
                assert_eq!(status.state, "failed", "!{} status {status:?}", mr.iid);
                let description = status.description.unwrap_or_default();
                assert!(
                    description.contains("ahead of the next release"),
                    "!{}: {description}",
                    mr.iid
                );
            } else {
                assert!(labels.is_empty(), "!{} labels {labels:?}", mr.iid);
                assert!(notes.is_empty(), "!{} bot comments: {notes:#?}", mr.iid);
                assert_eq!(status.state, "success", "!{} status {status:?}", mr.iid);
            }
        }
        let block = self.fake.milestone(self.batch_milestone).description;
        for mr in &self.merge_requests {
            let listed = block.contains(&format!("Merge request {}]", mr.iid))
                || block.contains(&format!("Merge request {}:", mr.iid));
            assert_eq!(
                listed, mr.db_change,
                "!{} in 2026.12's block: {block}",
                mr.iid
            );
        }
    }

    /// Comment creations (POST …/merge_requests/N/notes) the fake served for one MR.
    pub fn comments_created(&self, iid: u64) -> usize {
        let suffix = format!("/merge_requests/{iid}/notes");
        self.fake
            .state()
            .requests
            .iter()
            .filter(|r| r.method == "POST")
            .filter(|r| {
                r.uri
                    .split('?')
                    .next()
                    .is_some_and(|p| p.ends_with(&suffix))
            })
            .count()
    }
}

fn django_migration(iid: u64) -> String {
    format!(
        "from django.db import migrations, models\n\n\
         class Migration(migrations.Migration):\n    \
         dependencies = [(\"lava_scheduler_app\", \"{:04}_previous\")]\n    \
         operations = [\n        \
         migrations.AddField(\"testjob\", \"field_{iid}\", models.IntegerField(default=0)),\n    \
         ]\n",
        99 + iid
    )
}

/// The configuration file both tests give `serve`.
pub fn write_config(dir: &Path, gitlab_url: &str, database: &str) -> PathBuf {
    write_config_mailing(dir, gitlab_url, database, None)
}

/// The configuration, announcing through `smtp_url` when given (the
/// warning goes out at the first database change).
pub fn write_config_mailing(
    dir: &Path,
    gitlab_url: &str,
    database: &str,
    smtp_url: Option<&str>,
) -> PathBuf {
    let (mail, announce) = match smtp_url {
        Some(url) => (
            format!(
                "[mail]\nsmtp_url = \"{url}\"\nfrom = \"bot@lava.example.org\"\ntimeout = \"2s\"\n"
            ),
            "announce = { to = [\"lava-announce@lists.example.org\"], trigger = \"first-change\" }\n",
        ),
        None => (String::new(), "gate = { require_announcement = false }\n"),
    };
    let text = format!(
        r#"[server]
listen = "127.0.0.1:0"
database = "{database}"

{mail}
[gitlab]
url = "{gitlab_url}"
token_env = "{TOKEN_ENV}"
webhook_secret_env = "{SECRET_ENV}"

[[project]]
forge = "gitlab"
path = "{PROJECT}"
rule_packs = ["django"]
releases = {{ scheme = "calver" }}
batch = {{ lead_time = "14d" }}
{announce}"#
    );
    let path = dir.join("schemagate.toml");
    std::fs::write(&path, text).expect("write the config");
    path
}

/// One `schemagate serve` process.
pub struct ServeProcess {
    child: Child,
    pub base_url: String,
    http: reqwest::Client,
}

impl ServeProcess {
    pub async fn start(config: &Path, workers: u16, job_lease: &str) -> ServeProcess {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("schemagate"))
            .arg("--config")
            .arg(config)
            .args(["serve", "--workers", &workers.to_string()])
            .args(["--job-lease", job_lease])
            .env(TOKEN_ENV, TOKEN)
            .env(SECRET_ENV, GITLAB_SECRET)
            .env("RUST_LOG", "warn")
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn schemagate serve");
        let stderr = child.stderr.take().expect("stderr piped");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("schemagate listening on ") {
                    let _ = sender.send(address.to_string());
                } else {
                    eprintln!("[serve] {line}");
                }
            }
        });
        let base_url =
            tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(60)))
                .await
                .expect("join")
                .expect("serve printed its address within 60 s");
        ServeProcess {
            child,
            base_url,
            http: reqwest::Client::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a delivery that must be acknowledged with 2xx.
    pub async fn deliver(&self, delivery: &Delivery) {
        let (status, body) = post(&self.http, &self.base_url, delivery).await;
        assert!(
            (200..300).contains(&status),
            "delivery refused with {status}: {body}"
        );
    }

    /// The process's `/metrics` text.
    pub async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.base_url))
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("metrics text")
    }

    /// SIGKILL: no shutdown, no cleanup, leases left behind.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL serve");
        self.child.wait().expect("reap serve");
    }

    /// SIGTERM, and the exit status must be success.
    pub async fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let exit = tokio::task::spawn_blocking(move || self.child.wait())
            .await
            .expect("join")
            .expect("wait for serve");
        assert!(exit.success(), "serve exited with {exit:?}");
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens the store the processes use (as one more replica would).
pub async fn open_store(url: &str, kind: DatabaseKind) -> Store {
    Store::connect(&DatabaseUrl {
        url: url.to_string(),
        kind,
    })
    .await
    .expect("open the shared store")
}

/// Waits until nothing is queued or running, twice in a row.
pub async fn wait_drained(store: &Store, timeout: Duration) -> QueueDepth {
    let started = Instant::now();
    let mut quiet = 0;
    loop {
        let depth = store.queue_depth().await.expect("queue depth");
        if depth.queued == 0 && depth.running == 0 {
            quiet += 1;
            if quiet == 2 {
                return depth;
            }
        } else {
            quiet = 0;
        }
        assert!(
            started.elapsed() < timeout,
            "the queue did not drain in {timeout:?}: {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
