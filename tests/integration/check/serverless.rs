//! The bot with no server: `schemagate sync --store forge` from a scheduled
//! job sends the downtime warning exactly once over several runs, also when
//! a run is killed between SMTP and the block write (then one resend under
//! the same Message-ID), with the ledger in the milestone's block.

use super::{MIGRATION, due, migration_lines};
use crate::fake_gitlab::{Diff, FakeGitLab, TOKEN};
use crate::support::check::run_check;
use crate::support::smtp::SmtpServer;
use schemagate::engine::{Engine, Forges, MailService};
use schemagate::forge::gitlab::{GitLabClient, GitLabSettings};
use schemagate::forge::retry::RetryPolicy;
use schemagate::store::Store;
use schemagate::tasks::serverless::{ForgeSyncReport, sync_via_forge};
use serde_json::json;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub(super) const LIST: &str = "lava-announce@lists.example.org";

pub(super) struct World {
    pub fake: FakeGitLab,
    pub project: u64,
    pub milestone: u64,
    pub smtp: SmtpServer,
    pub dir: tempfile::TempDir,
}

pub(super) async fn world() -> World {
    world_with(&[LIST], "").await
}

/// The world announcing to `to`, with `mail` added to the `[mail]` section.
pub(super) async fn world_with(to: &[&str], mail: &str) -> World {
    let fake = FakeGitLab::start().await;
    fake.add_group("lava");
    let project = fake.add_project("lava/lava");
    // The only open release: the next one, so work on it has started.
    let milestone = fake.add_milestone(Some(project), None, "2026.12", "active", Some(&due(40)));
    let lines = migration_lines();
    let sha = "a000000000000000000000000000000000000001";
    fake.add_merge_request(project, 1, sha, vec![Diff::added(MIGRATION, &lines)]);
    fake.add_file(project, sha, MIGRATION, &lines.join("\n"));
    let smtp = SmtpServer::start(Default::default());
    let dir = tempfile::tempdir().unwrap();
    let to: Vec<String> = to.iter().map(|address| format!("\"{address}\"")).collect();
    let config = format!(
        "[gitlab]\nurl = \"{}\"\ntoken_env = \"GL_TOKEN\"\n\n[mail]\nsmtp_url = \"{}\"\n\
         from = \"LAVA release bot <release-bot@lava.example.org>\"\n{mail}\n[[project]]\n\
         forge = \"gitlab\"\npath = \"lava/lava\"\nrule_packs = [\"django\"]\n\
         releases = {{ scheme = \"calver\" }}\nannounce = {{ to = [{}] }}\n",
        fake.url,
        smtp.url(),
        to.join(", ")
    );
    std::fs::write(dir.path().join("schemagate.toml"), config).unwrap();
    World {
        fake,
        project,
        milestone,
        smtp,
        dir,
    }
}

impl World {
    pub(super) fn sync(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("GL_TOKEN", TOKEN)
            .args(["sync", "--store", "forge"]);
        command
    }

    pub(super) async fn sync_once(&self) -> String {
        let mut command = self.sync();
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "sync failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub(super) fn block(&self) -> String {
        self.fake.milestone(self.milestone).description
    }

    pub(super) fn config(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("schemagate.toml")).unwrap()
    }

    /// One run of the server-less sync inside this process, built as
    /// `sync --store forge` builds it (a fresh engine over an empty
    /// in-memory store), so a test can read the metrics the run counts.
    pub(super) async fn sync_in_process(&self) -> anyhow::Result<ForgeSyncReport> {
        let config = schemagate::config::parse("schemagate.toml", &self.config())
            .unwrap_or_else(|errors| panic!("{errors}"));
        let client = GitLabClient::new(GitLabSettings {
            url: self.fake.url.clone(),
            token: TOKEN.into(),
            retry: RetryPolicy::none(),
        })
        .unwrap();
        let forges = Forges {
            gitlab: Some(Arc::new(client)),
            github: None,
        };
        let mail = MailService::from_config(&config, &|_| None).unwrap();
        let project = config.projects[0].clone();
        let store = Store::in_memory().await.unwrap();
        let engine = Engine::new(Arc::new(config), store, forges).with_mail(mail);
        sync_via_forge(&engine, &project).await
    }

    pub(super) fn message_ids(&self) -> Vec<String> {
        self.smtp
            .mails()
            .iter()
            .map(|m| m.header("Message-ID").unwrap_or_default().to_string())
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_sync_sends_the_warning_once_over_two_runs() {
    let w = world().await;
    let first = w.sync_once().await;
    assert!(first.contains("1 downtime warning(s) sent"), "{first}");
    let mails = w.smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, vec![LIST.to_string()]);
    let block = w.block();
    assert!(block.contains("<!-- schemagate:warning-sent "), "{block}");
    assert!(!block.contains("warning-sending"), "{block}");
    assert!(
        block.contains(&format!("Downtime warning sent to {LIST}")),
        "{block}"
    );

    let second = w.sync_once().await;
    assert!(second.contains("0 downtime warning(s) sent"), "{second}");
    assert_eq!(w.smtp.mails().len(), 1);

    // The gate, from the forge alone, sees the warning.
    let config = std::fs::read_to_string(w.dir.path().join("schemagate.toml")).unwrap();
    let check = run_check(
        Some(&config),
        &[("GL_TOKEN", TOKEN)],
        &["--project", "lava/lava", "--mr", "1"],
    )
    .await;
    assert_eq!(check.code, 0, "{check:?}");
    assert!(check.stdout.contains("announced"), "{}", check.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_between_smtp_and_the_block_write_resends_once_under_the_same_id() {
    let w = world().await;
    w.smtp.set_faults(json!({ "stall_after_data": true }));
    let mut child = w
        .sync()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The server has the message; the bot never hears back.
    w.smtp.wait_for_mails(1, Duration::from_secs(20)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let block = w.block();
    assert!(
        block.contains("<!-- schemagate:warning-sending "),
        "{block}"
    );
    assert!(!block.contains("warning-sent"), "{block}");
    w.smtp.set_faults(json!({}));

    let second = w.sync_once().await;
    assert!(second.contains("1 resent"), "{second}");
    let ids = w.message_ids();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(ids[0], ids[1], "the resend must carry the same Message-ID");
    let block = w.block();
    assert!(block.contains("<!-- schemagate:warning-sent "), "{block}");
    assert!(!block.contains("warning-sending"), "{block}");

    w.sync_once().await;
    assert_eq!(w.smtp.mails().len(), 2, "a third run sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_batches_every_open_database_change_in_the_block() {
    let w = world().await;
    let lines = migration_lines();
    let sha = "b000000000000000000000000000000000000001";
    let second = "app/migrations/0043_index.py";
    w.fake
        .add_merge_request(w.project, 2, sha, vec![Diff::added(second, &lines)]);
    w.fake.add_file(w.project, sha, second, &lines.join("\n"));
    let out = w.sync_once().await;
    // Two MRs, checked again after the warning went out (their comments change).
    assert!(out.contains("4 merge requests checked"), "{out}");
    let block = w.block();
    assert!(
        block.contains("<!-- schemagate:items mr:1:bot mr:2:bot -->"),
        "both MRs in the block: {block}"
    );
    assert_eq!(w.smtp.mails().len(), 1, "one warning for the batch");
    let body = &w.smtp.mails()[0].body;
    assert!(body.contains("- !1 ") && body.contains("- !2 "), "{body}");
}
