//! The triggers of docs/announcements.md: `first-change` mails as soon as the batch holds
//! a change; `manual` only through `schemagate announce`, once; under
//! `work-starts` a start date that comes round is caught by the periodic
//! sync alone, with no webhook.

use super::*;
use crate::lava_story::{Item, gitlab::GitLabStory};
use crate::support::serve::{config_from, test_secrets};
use chrono::Utc;
use schemagate::core::announcements::AnnouncementKind;
use schemagate::engine::{AnnounceOutcome, Engine, MailService};
use schemagate::store::AnnouncementState;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_change_mails_as_soon_as_the_batch_holds_a_change() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    let config = config(&forge, &smtp.url(), r#"trigger = "first-change""#);
    let server = TestServer::start(&config, forge.forges(), test_secrets()).await;
    let (_, _, a) = seed_batch(&server, &forge).await;
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    assert!(
        mails[0].body.contains("Add a priority"),
        "{}",
        mails[0].body
    );
    // 2026.12 is still ahead of the next release; only that rule fails now.
    let status = forge.head_status(a).expect("a status");
    assert!(
        status.description.contains("ahead of the next release"),
        "{status:?}"
    );
    let comment = forge.bot_comments(Item::Mr(a)).join("\n");
    assert!(!comment.contains("has not been sent yet"), "{comment}");
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_mails_only_through_the_announce_command_and_only_once() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    let text = format!(
        "{}\n[status]\npublic = true\n",
        config(&forge, &smtp.url(), r#"trigger = "manual""#)
    );
    let server = TestServer::start(&text, forge.forges(), test_secrets()).await;
    let (next, _, a) = seed_batch(&server, &forge).await;
    deliver(&server, &forge, &[forge.close_milestone(next)]).await;
    expect_no_more_mail(&smtp, 0).await;
    // The status page: 2026.12 needs downtime, its warning waits for a person.
    let warning_of = |json: &serde_json::Value| {
        let releases = json["releases"].as_array().cloned().unwrap_or_default();
        let release = releases.into_iter().find(|r| r["title"] == "2026.12");
        release.expect("2026.12 is listed")["warning"].clone()
    };
    let before = server.get_json("/api/v1/projects/gitlab/lava/lava").await;
    assert_eq!(before["next_release"], "2026.12", "{before}");
    assert_eq!(warning_of(&before)["state"], "not_due", "{before}");
    let status = forge.head_status(a).expect("a status");
    assert_eq!(status.state, "failure", "{status:?}");

    // `schemagate announce`, in process, on the server's own store.
    let config = Arc::new(config_from(&text));
    let mail = MailService::from_config(&config, &|_| None).unwrap();
    let engine =
        Engine::new(config.clone(), server.store().clone(), forge.forges()).with_mail(mail);
    let project = &config.projects[0];
    let preview = schemagate::tasks::announce::announce(
        &engine,
        project,
        "2026.12",
        AnnouncementKind::Warning,
        true,
    )
    .await
    .unwrap();
    let AnnounceOutcome::Preview(text) = preview else {
        panic!("expected a preview, got {preview:?}");
    };
    assert!(
        text.contains("Message-ID: <") && text.contains("Add a priority"),
        "{text}"
    );
    expect_no_more_mail(&smtp, 0).await;
    let rows = server
        .store()
        .announcements(schemagate::forge::ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    assert!(rows.is_empty(), "a preview records nothing: {rows:?}");

    let sent = schemagate::tasks::announce::announce(
        &engine,
        project,
        "2026.12",
        AnnouncementKind::Warning,
        false,
    )
    .await
    .unwrap();
    assert!(matches!(sent, AnnounceOutcome::Sent { .. }), "{sent:?}");
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    let after = warning_of(&server.get_json("/api/v1/projects/gitlab/lava/lava").await);
    assert_eq!(after["state"], "sent", "{after}");
    assert!(after["sent_at"].is_string(), "{after}");
    let previewed_id = text
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .map(str::to_string);
    assert_eq!(
        mails[0].header("Message-ID").map(str::to_string),
        previewed_id,
        "the preview shows the id that is sent"
    );
    let again = schemagate::tasks::announce::announce(
        &engine,
        project,
        "2026.12",
        AnnouncementKind::Warning,
        false,
    )
    .await
    .unwrap();
    assert!(
        matches!(again, AnnounceOutcome::AlreadySent { sent_at: Some(_) }),
        "{again:?}"
    );
    // The server picks up the follow-up work: the gate turns green.
    server.wait_idle().await;
    let status = forge.head_status(a).expect("a status");
    assert_eq!(status.state, "success", "{status:?}");
    let rows = server
        .store()
        .announcements(schemagate::forge::ForgeKind::GitLab, "lava/lava")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, AnnouncementState::Sent);
    expect_no_more_mail(&smtp, 1).await;
    // An update asked for when nothing joined or left says nothing: not sent.
    let update = schemagate::tasks::announce::announce(
        &engine,
        project,
        "2026.12",
        AnnouncementKind::Update,
        false,
    )
    .await
    .unwrap();
    assert!(
        matches!(update, AnnounceOutcome::NothingNew { since: Some(_) }),
        "{update:?}"
    );
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_date_that_comes_round_is_caught_by_the_sync_alone() {
    let forge = GitLabStory::start().await;
    let smtp = SmtpServer::start(Default::default());
    let text =
        config(&forge, &smtp.url(), "").replace("sync_interval = \"1w\"", "sync_interval = \"1s\"");
    let server = TestServer::start(&text, forge.forges(), test_secrets()).await;
    let (_, later, a) = seed_batch(&server, &forge).await;
    expect_no_more_mail(&smtp, 0).await;
    assert_eq!(forge.milestone_of(Item::Mr(a)).as_deref(), Some("2026.12"));
    // Work on 2026.12 starts today; the forge sends no webhook for a date.
    forge.set_start_date(later, Utc::now().date_naive());
    let mails = smtp.wait_for_mails(1, MAIL_WAIT).await;
    assert!(
        mails[0].body.contains("Add a priority"),
        "{}",
        mails[0].body
    );
    expect_no_more_mail(&smtp, 1).await;
    server.shutdown().await;
}
