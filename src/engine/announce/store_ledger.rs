//! The server's ledger: one row of the store's `announcements` table per
//! mail, claimed for a while before SMTP (so a second process does not send
//! it too) and finished in one transaction with the work a sent or refused
//! mail implies.

use super::ledger::{Claim, Ledger};
use crate::engine::Work;
use crate::engine::failure::Step;
use crate::engine::queue::EncodedWork;
use crate::store::{AnnouncementKey, Begun, SendOutcome, Store};
use chrono::DateTime;
use std::time::Duration;

/// One mail's row in the store.
pub(crate) struct StoreLedger<'a> {
    store: &'a Store,
    key: AnnouncementKey,
    /// The changes the mail lists, kept with the row's first attempt.
    items: Vec<String>,
    /// How long a claim holds: past the send deadline, so a live sender
    /// keeps the claim until it is done, and a dead one's claim runs out.
    claim: Duration,
    /// Queued with the `sent` record.
    after_sent: Vec<Work>,
    /// Queued with the `failed` record.
    after_refused: Vec<Work>,
}

impl<'a> StoreLedger<'a> {
    /// The row for `key`, claimed a little longer than `deadline`, the
    /// longest one SMTP exchange may take.
    pub fn new(
        store: &'a Store,
        key: AnnouncementKey,
        items: Vec<String>,
        deadline: Duration,
    ) -> StoreLedger<'a> {
        StoreLedger {
            store,
            key,
            items,
            claim: deadline + Duration::from_secs(5),
            after_sent: Vec::new(),
            after_refused: Vec::new(),
        }
    }

    /// `after_sent` is queued in the transaction that records the mail
    /// sent, `after_refused` in the one that gives it up.
    pub fn with_follow_ups(mut self, after_sent: Vec<Work>, after_refused: Vec<Work>) -> Self {
        self.after_sent = after_sent;
        self.after_refused = after_refused;
        self
    }

    async fn finish(&self, outcome: SendOutcome<'_>, jobs: &[Work]) -> Step<()> {
        let encoded = EncodedWork::new(jobs);
        self.store
            .finish_announcement(&self.key, outcome, &encoded.jobs())
            .await?;
        Ok(())
    }
}

impl Ledger for StoreLedger<'_> {
    async fn claim(&mut self, message_id: &str) -> Step<Claim> {
        let begun = self
            .store
            .begin_announcement(&self.key, message_id, &self.items, self.claim)
            .await?;
        Ok(match begun {
            Begun::Claimed(row) => Claim::Mine {
                message_id: row.message_id,
                refusals: row.refusals,
            },
            Begun::AlreadySent(row) => Claim::AlreadySent {
                sent_at: row.sent_at_ms.and_then(DateTime::from_timestamp_millis),
            },
            Begun::Busy(_) => Claim::Busy,
        })
    }

    async fn record_sent(&mut self) -> Step<()> {
        self.finish(SendOutcome::Sent, &self.after_sent).await
    }

    /// The row is `failed` with the whole sentence, which `/healthz` of
    /// every process reads from the ledger until a mail goes out.
    async fn record_refused(&mut self, sentence: &str) -> Step<()> {
        self.finish(SendOutcome::Failed(sentence), &self.after_refused)
            .await
    }

    async fn record_unsent(&mut self, reason: &str, refused: bool) -> Step<()> {
        let outcome = match refused {
            true => SendOutcome::RefusedOnce(reason),
            false => SendOutcome::Retry(reason),
        };
        self.finish(outcome, &[]).await
    }

    fn by_hand(&self, milestone_title: &str) -> String {
        format!(
            "send it with `schemagate announce --project {} --milestone {milestone_title} --kind {}`",
            self.key.project,
            self.key.kind.word()
        )
    }
}
