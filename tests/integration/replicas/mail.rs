//! The downtime warning under process faults: `serve` SIGKILLed while the
//! mail server holds the message unanswered after DATA resends it at most
//! once, under the same Message-ID; two replicas on one PostgreSQL send one
//! warning between them.

use super::*;
use crate::support::db::with_postgres;
use crate::support::smtp::SmtpServer;
use schemagate::config::DatabaseKind;
use schemagate::forge::ForgeKind;
use schemagate::store::AnnouncementState;
use serde_json::json;
use std::collections::HashMap;

const MAIL_WAIT: Duration = Duration::from_secs(30);

/// Mails by Message-ID, with how often each arrived.
fn by_message_id(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for mail in smtp.mails() {
        let id = mail
            .header("Message-ID")
            .expect("every mail has a Message-ID")
            .to_string();
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serve_killed_mid_send_resends_only_under_the_same_message_id() {
    let world = World::seed(3, 1).await;
    let smtp = SmtpServer::start(Default::default());
    smtp.set_faults(json!({ "stall_after_data": true }));
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("store.db").display());
    let config = write_config_mailing(dir.path(), &world.fake.url, &database, Some(&smtp.url()));

    let first = ServeProcess::start(&config, 2, "2s").await;
    first.deliver(&world.opened(1)).await;
    // The server has the message; the bot never hears back.
    smtp.wait_for_mails(1, MAIL_WAIT).await;
    first.kill();
    smtp.set_faults(json!({}));

    let second = ServeProcess::start(&config, 2, "2s").await;
    for mr in [2, 3] {
        second.deliver(&world.opened(mr)).await;
    }
    let store = open_store(&database, DatabaseKind::Sqlite).await;
    let deadline = Instant::now() + MAIL_WAIT;
    let row = loop {
        let rows = store
            .announcements(ForgeKind::GitLab, PROJECT)
            .await
            .unwrap();
        if let Some(row) = rows.first().filter(|r| r.state == AnnouncementState::Sent) {
            break row.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the warning was never recorded sent: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    wait_drained(&store, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = by_message_id(&smtp);
    assert_eq!(
        counts.len(),
        1,
        "one mail, under one Message-ID: {counts:?}"
    );
    let (id, copies) = counts.into_iter().next().unwrap();
    assert_eq!(id, row.message_id);
    assert!(
        copies <= 2,
        "{copies} copies: at most the one interrupted resend"
    );
    assert_eq!(row.attempts, 2, "{row:?}");
    second.terminate().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_one_postgres_send_one_warning_between_them() {
    with_postgres(|db| async move {
        let world = World::seed(20, 1).await;
        let smtp = SmtpServer::start(Default::default());
        let dir = tempfile::tempdir().unwrap();
        let config =
            write_config_mailing(dir.path(), &world.fake.url, &db.url.url, Some(&smtp.url()));
        let replicas = [
            ServeProcess::start(&config, 4, "60s").await,
            ServeProcess::start(&config, 4, "60s").await,
        ];
        for (n, mr) in world.merge_requests.iter().enumerate() {
            replicas[n % 2].deliver(&world.opened(mr.iid)).await;
        }
        let store = open_store(&db.url.url, DatabaseKind::Postgres).await;
        let depth = wait_drained(&store, Duration::from_secs(120)).await;
        assert_eq!(depth.dead, 0);
        smtp.wait_for_mails(1, MAIL_WAIT).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let counts = by_message_id(&smtp);
        assert_eq!(counts.len(), 1, "{counts:?}");
        assert_eq!(counts.values().sum::<usize>(), 1, "{counts:?}");
        let rows = store
            .announcements(ForgeKind::GitLab, PROJECT)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].state, rows[0].attempts),
            (AnnouncementState::Sent, 1)
        );
        for replica in replicas {
            replica.terminate().await;
        }
    })
    .await;
}
