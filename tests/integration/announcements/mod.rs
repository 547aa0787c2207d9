//! Downtime warnings end to end (issue 9): the real server, engine, store
//! and forge clients against a fake forge, mailing a real SMTP server
//! (aiosmtpd), driven by webhooks shaped like the forge's.

mod faults;
mod observe;
mod rolling;
mod shipped;
mod story;
mod triggers;

use crate::lava_story::{MrSpec, StoryForge, migration};
use crate::support::serve::TestServer;
use crate::support::smtp::{ReceivedMail, SmtpServer};
use crate::support::webhooks::Delivery;
use std::time::Duration;

pub const ANNOUNCE_LIST: &str = "lava-announce@lists.example.org";

/// How long a test waits for mail that should come.
pub const MAIL_WAIT: Duration = Duration::from_secs(20);

/// The LAVA project announcing to [`ANNOUNCE_LIST`] through `smtp_url`;
/// `announce` adds or overrides keys of the `announce` table (TOML inline
/// table body, e.g. `trigger = "manual"`).
pub fn config(forge: &dyn StoryForge, smtp_url: &str, announce: &str) -> String {
    format!(
        r#"{forge_config}
[mail]
smtp_url = "{smtp_url}"
from = "LAVA release bot <release-bot@lava.example.org>"

[[project]]
forge = "{word}"
path = "lava/lava"
rule_packs = ["django"]
releases = {{ scheme = "calver" }}
batch = {{ lead_time = "14d" }}
announce = {{ to = ["{ANNOUNCE_LIST}"], reply_to = "lava-devel@lists.example.org", upgrade_steps = ["Put the instance in maintenance mode", "Back up the database", "Upgrade and run `lava-server manage migrate`"], {announce} }}
"#,
        forge_config = forge.config(),
        word = forge.config_word(),
    )
}

/// Delivers each webhook, waits for the queue to drain, then delivers the
/// forge's echoes of the bot's writes (as a real forge would) until none
/// are left. Returns everything delivered, for replays.
pub async fn deliver(
    server: &TestServer,
    forge: &dyn StoryForge,
    deliveries: &[Delivery],
) -> Vec<Delivery> {
    let mut sent: Vec<Delivery> = deliveries.to_vec();
    let mut mark = forge.mark();
    for delivery in deliveries {
        server.deliver(delivery).await;
    }
    server.wait_idle().await;
    for _ in 0..3 {
        let echoes = forge.echoes_since(mark);
        if echoes.is_empty() {
            break;
        }
        mark = forge.mark();
        for echo in &echoes {
            server.deliver(echo).await;
        }
        server.wait_idle().await;
        sent.extend(echoes);
    }
    sent
}

/// Opens a database-change MR without a milestone; returns its number and
/// its "opened" delivery.
pub fn open_db_mr(forge: &dyn StoryForge, title: &str, sha: &str, name: &str) -> (u64, Delivery) {
    forge.open_mr(&MrSpec {
        title,
        description: "",
        sha,
        files: vec![migration(name)],
        milestone: None,
    })
}

/// Seeds 2026.11 (the next release, due in 5 days) and 2026.12 (due in
/// 40, where a new batch goes) and one database change, "Add a priority",
/// which the bot puts in 2026.12. Returns the two milestones and the MR.
pub async fn seed_batch(server: &TestServer, forge: &dyn StoryForge) -> (u64, u64, u64) {
    let today = chrono::Utc::now().date_naive();
    let next = forge.add_milestone("2026.11", today + chrono::Days::new(5));
    let later = forge.add_milestone("2026.12", today + chrono::Days::new(40));
    deliver(
        server,
        forge,
        &[
            forge.milestone_created(next),
            forge.milestone_created(later),
        ],
    )
    .await;
    let (mr, opened) = open_db_mr(
        forge,
        "Add a priority",
        "a000000000000000000000000000000000000001",
        "0042_add_field",
    );
    deliver(server, forge, &[opened]).await;
    (next, later, mr)
}

/// Polls the project's ledger until `done` holds for its rows; fails the
/// test after [`MAIL_WAIT`].
pub async fn wait_for_ledger(
    server: &TestServer,
    what: &str,
    done: impl Fn(&[schemagate::store::Announcement]) -> bool,
) -> Vec<schemagate::store::Announcement> {
    let deadline = std::time::Instant::now() + MAIL_WAIT;
    loop {
        let rows = server
            .store()
            .announcements(schemagate::forge::ForgeKind::GitLab, "lava/lava")
            .await
            .unwrap();
        if done(&rows) {
            return rows;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits a little and checks that no more than `count` mails arrived.
pub async fn expect_no_more_mail(smtp: &SmtpServer, count: usize) {
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mails = smtp.mails();
    assert_eq!(
        mails.len(),
        count,
        "expected {count} mail(s), the mailbox has: {:#?}",
        subjects(&mails)
    );
}

pub fn subjects(mails: &[ReceivedMail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| m.header("Subject").unwrap_or_default().to_string())
        .collect()
}
