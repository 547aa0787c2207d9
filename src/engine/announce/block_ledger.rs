//! The server-less ledger (`sync --store forge`): a downtime warning's
//! record kept in its milestone's block, where the next run (a fresh
//! process with no store) reads it back. Before SMTP the block gets a
//! `warning-sending` line with the Message-ID; after, the `warning-sent`
//! line replaces it. A refusal is counted on the sending line
//! (`refusals=N`), and a warning given up gets a note and a
//! `warning-refused` line, so the give-up rule counts across runs as the
//! store's `refusals` column does. Runs are serialised (`resource_group`,
//! `concurrency`), so no other process holds a send: a sending line found
//! is an earlier run that died, and its send is taken over.

use super::ledger::{Claim, Ledger};
use crate::core::policy::{ProjectState, WarningSending, WarningSent};
use crate::core::types::Milestone;
use crate::engine::block::write_block;
use crate::engine::failure::Step;
use crate::engine::milestones::milestones;
use crate::engine::project::ProjectContext;

/// One milestone's downtime warning, recorded in its block.
pub(crate) struct BlockLedger<'a, 'e> {
    /// Whose block: the forge client writes it, the engine's milestone
    /// cache keeps the text each write is made on top of, its clock dates
    /// the lines.
    project: &'a ProjectContext<'e>,
    milestone: &'a Milestone,
    /// The project as the blocks record it, with this warning's entry as
    /// last written.
    state: ProjectState,
}

impl<'a, 'e> BlockLedger<'a, 'e> {
    /// The ledger of `milestone`'s warning, from `state` as read from the
    /// project's blocks.
    pub fn new(
        project: &'a ProjectContext<'e>,
        milestone: &'a Milestone,
        state: ProjectState,
    ) -> BlockLedger<'a, 'e> {
        BlockLedger {
            project,
            milestone,
            state,
        }
    }

    /// This warning's entry: the one begun (there is one from `claim` on).
    fn entry(&mut self) -> Option<&mut WarningSending> {
        let milestone = self.milestone.id;
        self.state
            .warnings_sending
            .iter_mut()
            .find(|w| w.milestone == milestone)
    }

    /// Writes the block from the state, on top of its text as the cache
    /// has it since the last write (a fresh read at the run's start), so
    /// each write replaces the line the one before wrote.
    async fn write(&self) -> Step<()> {
        let current = milestones(self.project)
            .await?
            .iter()
            .find(|m| m.id == self.milestone.id)
            .cloned()
            .unwrap_or_else(|| self.milestone.clone());
        write_block(self.project, &current, &self.state).await?;
        Ok(())
    }
}

impl Ledger for BlockLedger<'_, '_> {
    /// The Message-ID depends only on (forge, project, milestone, kind,
    /// sender), so the composed one is the one the sending line recorded
    /// (which may have lost a `--` the HTML comment cannot hold).
    async fn claim(&mut self, message_id: &str) -> Step<Claim> {
        if let Some(sent_at) = self.state.warning_sent(self.milestone.id) {
            return Ok(Claim::AlreadySent {
                sent_at: Some(sent_at),
            });
        }
        let now = self.project.engine.now();
        let milestone = self.milestone.id;
        let refusals = match self.entry() {
            // Begun by a run that did not finish it: resent under the same ID.
            Some(begun) if !begun.given_up => {
                return Ok(Claim::Mine {
                    message_id: message_id.to_string(),
                    refusals: begun.refusals,
                });
            }
            // Given up, and asked for again: begun again, its refusals kept
            // (as a `failed` row claimed again keeps its count).
            Some(given_up) => {
                given_up.given_up = false;
                given_up.since = now;
                given_up.message_id = message_id.to_string();
                given_up.refusals
            }
            None => {
                self.state.warnings_sending.push(WarningSending {
                    milestone,
                    message_id: message_id.to_string(),
                    since: now,
                    refusals: 0,
                    given_up: false,
                });
                0
            }
        };
        self.state.warnings_failed.retain(|m| *m != milestone);
        self.write().await?;
        Ok(Claim::Mine {
            message_id: message_id.to_string(),
            refusals,
        })
    }

    async fn record_sent(&mut self) -> Step<()> {
        let milestone = self.milestone.id;
        self.state
            .warnings_sending
            .retain(|w| w.milestone != milestone);
        self.state.warnings_sent.push(WarningSent {
            milestone,
            sent_at: self.project.engine.now(),
        });
        self.write().await
    }

    /// The block says so in words and in the refused line; the sentence
    /// itself goes to the run's log and error.
    async fn record_refused(&mut self, _sentence: &str) -> Step<()> {
        let now = self.project.engine.now();
        let milestone = self.milestone.id;
        if let Some(entry) = self.entry() {
            entry.refusals += 1;
            entry.given_up = true;
            entry.since = now;
        }
        self.state.warnings_failed.push(milestone);
        self.write().await
    }

    /// A refusal is counted on the sending line; a transient failure leaves
    /// the line as it is (the next run resends under its Message-ID).
    async fn record_unsent(&mut self, _reason: &str, refused: bool) -> Step<()> {
        if !refused {
            return Ok(());
        }
        if let Some(entry) = self.entry() {
            entry.refusals += 1;
        }
        self.write().await
    }

    fn by_hand(&self, milestone_title: &str) -> String {
        crate::core::block::resend_after_refusal(milestone_title)
    }
}
