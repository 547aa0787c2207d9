//! Mail faults: a mail server that is down when the warning falls due, one
//! that answers 4xx (retried) or 5xx (given up after a bounded number of
//! tries, and reported), and bad templates that stop the server starting.

use super::*;
use crate::lava_story::Item;
use crate::lava_story::gitlab::GitLabStory;
use crate::support::serve::test_secrets;
use schemagate::engine::MAX_PERMANENT_TRIES;
use schemagate::forge::ForgeKind;
use schemagate::store::AnnouncementState;
use serde_json::json;

/// A server for the LAVA project mailing through `smtp`, with its batch
/// 2026.12 holding one change; returns it and the delivery closing 2026.11,
/// which makes the warning due.
async fn due_on_close(forge: &GitLabStory, smtp: &SmtpServer) -> (TestServer, Delivery) {
    let (server, (next, _, _)) = serve_with_batch(forge, smtp).await;
    (server, forge.close_milestone(next))
}

/// A server for the LAVA project mailing through `smtp`, with the batch of
/// [`seed_batch`]: returns it and the two milestones and the MR.
async fn serve_with_batch(forge: &GitLabStory, smtp: &SmtpServer) -> (TestServer, (u64, u64, u64)) {
    let config = config(forge, &smtp.url(), "");
    let server = TestServer::start(&config, forge.forges(), test_secrets()).await;
    let batch = seed_batch(&server, forge).await;
    (server, batch)
}

async fn health(server: &TestServer) -> serde_json::Value {
    reqwest::get(format!("{}/healthz", server.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_due_while_the_mail_server_is_down_arrives_once_it_is_back() {
    let forge = GitLabStory::start().await;
    let mut smtp = SmtpServer::start(Default::default());
    let port = smtp.port;
    smtp.stop();
    let (server, close) = due_on_close(&forge, &smtp).await;
    server.deliver(&close).await;
    // The announce job fails and waits for its retry; nothing is lost.
    wait_for_ledger(&server, "no failed try recorded", |rows| {
        rows.first()
            .is_some_and(|r| r.state == AnnouncementState::Pending)
    })
    .await;
    let body = health(&server).await;
    assert_eq!(body["status"], "degraded", "{body}");
    assert!(
        body["mail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("down"),
        "{body}"
    );
    let smtp = SmtpServer::start_on(port, Default::default(), smtp.dir());
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    assert!(mails[0].body.contains("Add a priority"));
    server.wait_idle().await;
    expect_no_more_mail(&smtp, 1).await;
    let body = health(&server).await;
    assert_eq!(body["mail"], "ok", "{body}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_reply_is_retried_and_the_mail_goes_out_once() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    smtp.set_faults(json!({ "temp_fail": 1 }));
    let (server, close) = due_on_close(&forge, &smtp).await;
    server.deliver(&close).await;
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    assert!(mails[0].body.contains("Add a priority"));
    server.wait_idle().await;
    let rows = server
        .store()
        .announcements(ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    assert_eq!(
        (rows[0].state, rows[0].attempts),
        (AnnouncementState::Sent, 2),
        "{rows:?}"
    );
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_reply_stops_after_the_bounded_tries_and_is_reported() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    smtp.set_faults(json!({ "perm_fail": true }));
    let (server, close) = due_on_close(&forge, &smtp).await;
    server.deliver(&close).await;
    // The retries back off 2 s, then 4 s, inside the wait.
    let rows = wait_for_ledger(&server, "never given up", |rows| {
        rows.first()
            .is_some_and(|r| r.state == AnnouncementState::Failed)
    })
    .await;
    let failed = &rows[0];
    assert_eq!(failed.attempts, MAX_PERMANENT_TRIES);
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550"),
        "{failed:?}"
    );
    server.wait_idle().await;
    let body = health(&server).await;
    assert!(
        body["mail"]
            .as_str()
            .unwrap_or_default()
            .contains("refused"),
        "{body}"
    );
    let metrics = reqwest::get(format!("{}/metrics", server.base_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("schemagate_announcements_failed_total{kind=\"warning\"} 1")),
        "{metrics}"
    );
    // The periodic work does not try it again on its own.
    deliver(&server, &forge, &[close.resent()]).await;
    let rows = server
        .store()
        .announcements(ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    assert_eq!(rows[0].attempts, MAX_PERMANENT_TRIES, "{rows:?}");
    assert!(smtp.mails().is_empty());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_do_not_use_up_the_tries_a_refusal_gets() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    smtp.set_faults(json!({ "temp_fail": 2 }));
    let (server, close) = due_on_close(&forge, &smtp).await;
    server.deliver(&close).await;
    wait_for_ledger(&server, "two 451s", |rows| {
        rows.first()
            .is_some_and(|r| r.attempts == 2 && r.state == AnnouncementState::Pending)
    })
    .await;
    smtp.set_faults(json!({ "perm_fail": true }));
    let rows = wait_for_ledger(&server, "a third try", |rows| {
        rows.first()
            .is_some_and(|r| r.attempts == 3 && r.state != AnnouncementState::Sending)
    })
    .await;
    // Three tries, one refusal: not given up, since only refusals count.
    assert_eq!(rows[0].refusals, 1, "{rows:?}");
    assert_eq!(rows[0].state, AnnouncementState::Pending, "{rows:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_begun_before_its_release_shipped_still_arrives() {
    let forge = GitLabStory::start().await;
    let mut smtp = SmtpServer::start(Default::default());
    let port = smtp.port;
    smtp.stop();
    let (server, (next, later, _)) = serve_with_batch(&forge, &smtp).await;
    server.deliver(&forge.close_milestone(next)).await;
    wait_for_ledger(&server, "no failed try recorded", |rows| {
        rows.first()
            .is_some_and(|r| r.state == AnnouncementState::Pending)
    })
    .await;
    // 2026.12 ships while the mail server is still down.
    server.deliver(&forge.close_milestone(later)).await;
    let smtp = SmtpServer::start_on(port, Default::default(), smtp.dir());
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    assert!(
        mails[0].body.contains("Add a priority"),
        "{}",
        mails[0].body
    );
    server.wait_idle().await;
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_refused_for_good_turns_the_gate_advice_to_sending_it_by_hand() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    smtp.set_faults(json!({ "perm_fail": true }));
    let (server, (next, _, mr)) = serve_with_batch(&forge, &smtp).await;
    let before = forge.bot_comments(Item::Mr(mr)).join("\n");
    assert!(
        before.contains("it goes out when work starts on 2026.12"),
        "{before}"
    );
    server.deliver(&forge.close_milestone(next)).await;
    wait_for_ledger(&server, "never given up", |rows| {
        rows.first()
            .is_some_and(|r| r.state == AnnouncementState::Failed)
    })
    .await;
    server.wait_idle().await;
    let after = forge.bot_comments(Item::Mr(mr)).join("\n");
    assert!(
        after.contains("the mail server refused it for good"),
        "{after}"
    );
    assert!(
        after.contains("then send it with `schemagate announce --milestone 2026.12`"),
        "{after}"
    );
    assert!(!after.contains("it goes out when work starts"), "{after}");
    server.shutdown().await;
}

#[test]
fn serve_refuses_a_broken_template_naming_its_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("warning.txt"),
        "Subject: Downtime in {{ milestone.title }}\n\nHello {{ milestone.title\n",
    )
    .unwrap();
    let config = dir.path().join("schemagate.toml");
    std::fs::write(
        &config,
        format!(
            r#"[server]
database = "sqlite://{db}"

[gitlab]
url = "http://127.0.0.1:9"

[mail]
smtp_url = "smtp://127.0.0.1:9"
from = "bot@example.org"

[[project]]
forge = "gitlab"
path = "lava/lava"
releases = {{ scheme = "calver" }}
announce = {{ to = ["{ANNOUNCE_LIST}"], templates_dir = "templates" }}
"#,
            db = dir.path().join("store.db").display()
        ),
    )
    .unwrap();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("schemagate"))
        .arg("--config")
        .arg(&config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("GITLAB_TOKEN", "glpat-test")
        .env("GITLAB_WEBHOOK_SECRET", "secret")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning.txt:3:"), "{stderr}");
    assert!(
        !dir.path().join("store.db").exists(),
        "refused before opening the store"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_another_process_holds_is_not_made_twice() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    let server = TestServer::start(
        &config(&forge, &smtp.url(), ""),
        forge.forges(),
        test_secrets(),
    )
    .await;
    let (next, later, _) = seed_batch(&server, &forge).await;
    // Another process (`schemagate sync` beside this server) began the
    // warning's send and holds its claim.
    let key = schemagate::store::AnnouncementKey {
        forge: ForgeKind::GitLab,
        project: "lava/lava".into(),
        milestone: schemagate::core::types::MilestoneId(later),
        kind: schemagate::store::AnnouncementKind::Warning,
        sequence: 0,
    };
    let begun = server
        .store()
        .begin_announcement(&key, "<other@x>", &[], std::time::Duration::from_secs(600))
        .await
        .unwrap();
    assert!(matches!(begun, schemagate::store::Begun::Claimed(_)));
    server.deliver(&forge.close_milestone(next)).await;
    expect_no_more_mail(&smtp, 0).await;
    // That process gives up (a transient failure): this server sends it, once.
    server
        .store()
        .finish_announcement(&key, schemagate::store::SendOutcome::Retry("451"), &[])
        .await
        .unwrap();
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    assert_eq!(
        mails[0].header("Message-ID"),
        Some("<other@x>"),
        "the row's first Message-ID"
    );
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}
