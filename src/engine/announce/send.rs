//! The one way an announcement is sent, whichever ledger records it: claim
//! the send, send under the deadline, then record it sent, refused for good
//! or not sent yet. The metrics, the log lines, the deadline and the give-up
//! rule live here only, so the server's store and the server-less block
//! ledger cannot drift apart.

use super::ledger::{Claim, Ledger};
use super::{AnnounceOutcome, Intent};
use crate::config::MailConfig;
use crate::core::announcements::DueMail;
use crate::engine::failure::{Failure, Step};
use crate::mail::{Mailer, OutgoingMail, SendError};
use crate::metric_names::{ANNOUNCEMENTS_FAILED, ANNOUNCEMENTS_RETRIED, ANNOUNCEMENTS_SENT};
use std::time::Duration;

/// Permanent SMTP refusals after which a mail is given up (marked `failed`);
/// a few, in case a server misreports a passing problem as permanent.
pub const MAX_PERMANENT_TRIES: u32 = 3;

/// The longest one SMTP exchange may take: a send still running then is
/// abandoned as a transient failure. `mail.timeout` bounds each of its
/// commands, not the whole, so a server answering each command just in
/// time would otherwise hold the send (and a claim on it) without end.
pub(crate) fn send_deadline(mail: Option<&MailConfig>) -> Duration {
    let timeout = mail.map_or(crate::config::DEFAULT_MAIL_TIMEOUT, |m| m.timeout);
    timeout * 4
}

/// The SMTP side of a send: the mailer, and the deadline on one exchange.
pub(crate) struct Courier<'a> {
    mailer: &'a Mailer,
    deadline: Duration,
}

impl<'a> Courier<'a> {
    /// Sends through `mailer` under the deadline `mail` (the `[mail]`
    /// section) implies.
    pub fn new(mailer: &'a Mailer, mail: Option<&MailConfig>) -> Courier<'a> {
        Courier {
            mailer,
            deadline: send_deadline(mail),
        }
    }

    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// One SMTP exchange, abandoned as transient past the deadline.
    async fn deliver(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        match tokio::time::timeout(self.deadline, self.mailer.send(mail)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Transient(format!(
                "the SMTP exchange took longer than {}s",
                self.deadline.as_secs()
            ))),
        }
    }
}

/// One mail to send, with what its log lines and sentences name.
pub(crate) struct Mail<'a> {
    pub outgoing: OutgoingMail,
    pub due: DueMail,
    /// The project's path as configured.
    pub project: &'a str,
    pub milestone_title: &'a str,
    pub intent: Intent,
}

/// Sends `mail` once through `ledger`: nothing when the ledger says it went
/// out before, an error when another process holds it, else the SMTP answer
/// recorded and counted. A mail not sent is an error (`Failure::Mail`),
/// transient unless it was given up.
pub(crate) async fn send_once<L: Ledger>(
    ledger: &mut L,
    courier: &Courier<'_>,
    mail: Mail<'_>,
) -> Step<AnnounceOutcome> {
    let Mail {
        outgoing,
        due,
        project,
        milestone_title,
        intent,
    } = mail;
    let (message_id, refusals) = match ledger.claim(&outgoing.message_id).await? {
        Claim::Mine {
            message_id,
            refusals,
        } => (message_id, refusals),
        Claim::AlreadySent { sent_at } => return Ok(AnnounceOutcome::AlreadySent { sent_at }),
        // Another process (serve beside sync, a second replica) holds the
        // send: this one waits and looks again.
        Claim::Busy => return Err(Failure::Busy(due.kind)),
    };
    // The ledger's Message-ID is the first one chosen: a resend after a crash reuses it.
    let outgoing = OutgoingMail {
        message_id,
        ..outgoing
    };
    let result = courier.deliver(&outgoing).await;
    let kind = due.kind.word();
    match answer(result, refusals, intent) {
        Answer::Delivered => {
            ledger.record_sent().await?;
            metrics::counter!(ANNOUNCEMENTS_SENT, "kind" => kind).increment(1);
            tracing::info!(
                project,
                milestone = milestone_title,
                kind,
                message_id = %outgoing.message_id,
                to = %outgoing.to.join(", "),
                "announcement sent"
            );
            Ok(AnnounceOutcome::Sent {
                message_id: outgoing.message_id,
                to: outgoing.to,
            })
        }
        // Reported (log, metric, and whatever the ledger shows: `/healthz`
        // reads the store's rows) until a mail goes out.
        Answer::GiveUp(reason) => {
            let noun = due.kind.noun();
            let sentence = format!(
                "the mail server refused the {noun} for {project} {milestone_title} for good: \
                 {reason}; it is not tried again on its own: fix the mail settings, then {}",
                ledger.by_hand(milestone_title),
            );
            ledger.record_refused(&sentence).await?;
            tracing::error!(project, kind, "{sentence}");
            metrics::counter!(ANNOUNCEMENTS_FAILED, "kind" => kind).increment(1);
            Err(Failure::Mail {
                reason: sentence,
                transient: false,
            })
        }
        Answer::TryAgain { reason, refused } => {
            ledger.record_unsent(&reason, refused).await?;
            metrics::counter!(ANNOUNCEMENTS_RETRIED, "kind" => kind).increment(1);
            Err(Failure::Mail {
                reason: format!(
                    "the {} for {milestone_title} could not be sent yet: {reason}",
                    due.kind.noun()
                ),
                transient: true,
            })
        }
    }
}

/// What the SMTP answer means for the ledger.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Delivered,
    /// Refused for good, the last of the tries: the server's reason.
    GiveUp(String),
    /// Not sent this time; `refused` when the server refused it for good
    /// (fewer than `MAX_PERMANENT_TRIES` times), which the ledger counts.
    TryAgain {
        reason: String,
        refused: bool,
    },
}

/// A permanent refusal is given up after `MAX_PERMANENT_TRIES` of them (a
/// server may misreport a passing problem; transient failures in between
/// do not count), at once when a person asked for the mail.
fn answer(result: Result<(), SendError>, refusals: u32, intent: Intent) -> Answer {
    match result {
        Ok(()) => Answer::Delivered,
        Err(SendError::Permanent(reason))
            if refusals + 1 >= MAX_PERMANENT_TRIES || intent == Intent::Command =>
        {
            Answer::GiveUp(reason)
        }
        Err(error) => Answer::TryAgain {
            refused: error.is_permanent(),
            reason: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused() -> Result<(), SendError> {
        Err(SendError::Permanent("550 5.1.1 unknown".into()))
    }

    #[test]
    fn a_refusal_is_given_up_on_the_last_try_or_at_once_when_a_person_asked() {
        let again = |refusals| answer(refused(), refusals, Intent::Due);
        assert_eq!(
            again(0),
            Answer::TryAgain {
                reason: "550 5.1.1 unknown".into(),
                refused: true
            }
        );
        assert_eq!(
            again(MAX_PERMANENT_TRIES - 1),
            Answer::GiveUp("550 5.1.1 unknown".into())
        );
        assert_eq!(
            answer(refused(), 0, Intent::Command),
            Answer::GiveUp("550 5.1.1 unknown".into())
        );
    }

    #[test]
    fn a_transient_failure_never_counts_as_a_refusal() {
        let failed = Err(SendError::Transient("451 later".into()));
        assert_eq!(
            answer(failed, MAX_PERMANENT_TRIES, Intent::Command),
            Answer::TryAgain {
                reason: "451 later".into(),
                refused: false
            }
        );
        assert_eq!(answer(Ok(()), 0, Intent::Due), Answer::Delivered);
    }

    #[test]
    fn one_exchange_may_take_four_command_timeouts() {
        assert_eq!(send_deadline(None), crate::config::DEFAULT_MAIL_TIMEOUT * 4);
    }
}
