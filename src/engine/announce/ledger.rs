//! Where an announcement's exactly-once record lives: the trait the one send
//! path (`send.rs`) writes through, so claiming, the give-up rule and what
//! each outcome records are the same whether the record is a row of the
//! store (`store_ledger.rs`) or a line in the milestone's block
//! (`block_ledger.rs`, the server-less sync).

use crate::engine::failure::Step;
use chrono::{DateTime, Utc};

/// What claiming a send found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// This process sends, under `message_id` (the ledger's first, so a
    /// resend is recognisably the same mail), with the tries the mail
    /// server refused for good so far.
    Mine { message_id: String, refusals: u32 },
    /// The mail went out before (when, if the ledger knows): do not send.
    AlreadySent { sent_at: Option<DateTime<Utc>> },
    /// Another process holds the send and may be sending now: do not send.
    Busy,
}

/// One mail's record in a ledger. A value is made for one mail and used for
/// one send: `claim` first, then exactly one of the `record_*` calls once
/// the mail server has answered (or the send deadline passed).
pub(crate) trait Ledger {
    /// Records before SMTP that the send began, and claims it. `message_id`
    /// is the composed mail's, recorded when the ledger has none yet.
    async fn claim(&mut self, message_id: &str) -> Step<Claim>;

    /// The mail server took the mail: it is never sent again.
    async fn record_sent(&mut self) -> Step<()>;

    /// Given up after refusals: not tried again on its own. `sentence` says
    /// why and what a person should do.
    async fn record_refused(&mut self, sentence: &str) -> Step<()>;

    /// Not sent this time; a later try sends it under the same Message-ID.
    /// `refused` when the server refused it for good, which counts towards
    /// giving up (transient failures do not).
    async fn record_unsent(&mut self, reason: &str, refused: bool) -> Step<()>;

    /// How a person sends the mail once it was given up, to end the
    /// sentence that reports the refusal ("…, then {by_hand}").
    fn by_hand(&self, milestone_title: &str) -> String;
}
