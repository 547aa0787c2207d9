//! What one command does to an item's steering, decided from plain data:
//! the record it leaves, the answer the bot's comment gives, the reaction
//! on the comment that carried it, and the change to make (an exception
//! approved or withdrawn, a recheck). The server's comment handler and the
//! server-less readers (`check`, `sync --store forge`) both decide here, so
//! a command means the same wherever it is read.

use super::{CommandRecord, CoveredFile, EndKind, Ending, Exception, Outcome, Steering};
use crate::core::commands::{Command, Parsed, Verb};
use crate::core::ids::{ItemKind, ItemState};
use chrono::{DateTime, Utc};

/// Whether the author may approve and withdraw exceptions on this item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Right {
    Allowed,
    /// The clause after "approving needs" ("Maintainer on lava/lava").
    Refused {
        needs: String,
    },
}

/// One command as asked: who, in which comment, when.
#[derive(Debug, Clone)]
pub struct Asked<'a> {
    pub author: &'a str,
    pub parsed: &'a Parsed,
    pub at: DateTime<Utc>,
    pub comment: Option<u64>,
}

/// The item the command is about, as it is now.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub kind: ItemKind,
    pub state: ItemState,
    /// `!12` or `#12`.
    pub reference: &'a str,
    /// The MR's migration files now: what an approval covers.
    pub migration_files: &'a [CoveredFile],
}

/// The change a command makes besides its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Evaluate the item again now.
    Recheck,
    Approve(Exception),
    /// End the active exception this way.
    Withdraw(Ending),
}

/// What a command came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Steered {
    pub record: CommandRecord,
    pub effect: Effect,
}

impl Steered {
    /// Acted on: a thumbs-up on the comment; anything else a thumbs-down.
    pub fn acted(&self) -> bool {
        self.record.outcome == Outcome::Acted
    }
}

/// Whether a verb needs the approver's right (asked of the forge only then).
pub fn needs_right(parsed: &Parsed) -> bool {
    matches!(
        parsed,
        Parsed::Command {
            command: Command::Approve { .. } | Command::Unapprove,
            ..
        }
    )
}

/// Decides one command. `right` is read only for `approve` and `unapprove`
/// (`None` elsewhere); `steering` is the item's as it stands before it.
pub fn steer(steering: &Steering, asked: &Asked, right: Option<&Right>, item: &Item) -> Steered {
    let author = asked.author;
    let record = |verb: &str, outcome: Outcome, answer: String| CommandRecord {
        author: author.to_string(),
        verb: verb.to_string(),
        outcome,
        answer,
        at: asked.at,
        comment: asked.comment,
    };
    let command = match asked.parsed {
        Parsed::Invalid { problem, .. } => {
            return Steered {
                record: record(
                    "invalid",
                    Outcome::Invalid,
                    format!("@{author} wrote a command the bot could not run: {problem}"),
                ),
                effect: Effect::None,
            };
        }
        Parsed::Command { command, .. } => command,
    };
    let verb = command.verb();
    let refused = |why: String| Steered {
        record: record(
            verb.word(),
            Outcome::Refused,
            format!("@{author} asked to {verb}, but {why}"),
        ),
        effect: Effect::None,
    };
    if matches!(verb, Verb::Approve | Verb::Unapprove) {
        if item.kind == ItemKind::Issue {
            return refused(
                "exceptions are for merge requests: an issue is never merged".to_string(),
            );
        }
        if item.state != ItemState::Open {
            return refused(format!(
                "{} is {}: there is nothing left to gate",
                item.reference,
                state_word(item.state)
            ));
        }
        match right {
            Some(Right::Allowed) => {}
            Some(Right::Refused { needs }) => {
                let doing = if verb == Verb::Approve {
                    "approving"
                } else {
                    "withdrawing an exception"
                };
                return refused(format!("{doing} needs {needs}"));
            }
            None => return refused("the approvers could not be asked".to_string()),
        }
    }
    match command {
        Command::Recheck => Steered {
            record: record(
                verb.word(),
                Outcome::Acted,
                format!("@{author} asked for a recheck"),
            ),
            effect: Effect::Recheck,
        },
        Command::Help => Steered {
            record: record(
                verb.word(),
                Outcome::Acted,
                format!("@{author} asked for help: the commands are listed below"),
            ),
            effect: Effect::None,
        },
        Command::Approve { reason } => Steered {
            record: record(
                verb.word(),
                Outcome::Acted,
                format!(
                    "@{author} approved an exception: {}",
                    super::render::inline_code(reason)
                ),
            ),
            effect: Effect::Approve(Exception {
                approver: author.to_string(),
                reason: reason.clone(),
                approved_at: asked.at,
                covers: sorted(item.migration_files),
                comment: asked.comment,
                ended: None,
            }),
        },
        Command::Unapprove => match steering.active() {
            Some(active) => Steered {
                record: record(
                    verb.word(),
                    Outcome::Acted,
                    format!(
                        "@{author} withdrew the exception @{} approved",
                        active.approver
                    ),
                ),
                effect: Effect::Withdraw(Ending {
                    at: asked.at,
                    how: EndKind::Withdrawn {
                        by: author.to_string(),
                    },
                }),
            },
            None => Steered {
                record: record(
                    verb.word(),
                    Outcome::Acted,
                    format!("@{author} asked to unapprove; there was no exception to withdraw"),
                ),
                effect: Effect::None,
            },
        },
    }
}

/// Applies a command's effect to `steering` (so the next command of the
/// same comment sees it) and keeps its record among the answers.
pub fn apply(steering: &mut Steering, steered: &Steered) {
    match &steered.effect {
        Effect::Approve(exception) => {
            if let Some(active) = steering.exceptions.iter_mut().rev().find(|e| e.is_active()) {
                active.ended = Some(Ending {
                    at: exception.approved_at,
                    how: EndKind::Replaced,
                });
            }
            steering.exceptions.push(exception.clone());
        }
        Effect::Withdraw(ending) => {
            if let Some(active) = steering.exceptions.iter_mut().rev().find(|e| e.is_active()) {
                active.ended = Some(ending.clone());
            }
        }
        Effect::None | Effect::Recheck => {}
    }
    // A recheck changes nothing to show: kept out of the answers, so
    // rechecking an unchanged item rewrites no comment.
    if steered.effect != Effect::Recheck {
        steering.answers.push(steered.record.clone());
    }
}

fn sorted(files: &[CoveredFile]) -> Vec<CoveredFile> {
    let mut files = files.to_vec();
    files.sort();
    files.dedup();
    files
}

fn state_word(state: ItemState) -> &'static str {
    match state {
        ItemState::Open => "open",
        ItemState::Closed => "closed",
        ItemState::Merged => "merged",
    }
}
