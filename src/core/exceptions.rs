//! Approved exceptions and the record of commands: what people asked the
//! bot through `/schemagate` comments, as plain data the policy decides on
//! and the comment shows. An exception waives the gate's placement rules
//! for one MR and is bound to the MR's migration files at the time of
//! approval (paths and content): when they change, it lapses.

mod binding;
mod render;
mod steer;
#[cfg(test)]
mod tests;

pub use binding::{Binding, binding, covered_files_digest};
pub use render::{
    HANDLED_KEPT, SteeringNote, comment_key, handle, inline_code, read_record, render_record,
    render_steering,
};
pub use steer::{Asked, Effect, Item, Right, Steered, apply, needs_right, steer};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One migration file an exception covers: its path and a digest of its
/// content as the MR shows it (the lines its diff adds, or its text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CoveredFile {
    pub path: String,
    pub digest: String,
}

/// An exception approved for one MR, active or ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// Who approved it (their forge username or login).
    pub approver: String,
    pub reason: String,
    pub approved_at: DateTime<Utc>,
    /// The MR's migration files when it was approved, sorted by path.
    pub covers: Vec<CoveredFile>,
    /// The comment that carried the approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<u64>,
    /// How it ended; `None` while it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Ending>,
}

impl Exception {
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }
}

/// How an exception ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    pub at: DateTime<Utc>,
    pub how: EndKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "end")]
pub enum EndKind {
    /// An approver withdrew it (`/schemagate unapprove`).
    Withdrawn { by: String },
    /// The MR's migration files changed after the approval.
    Lapsed { why: String },
    /// A newer approval replaced it.
    Replaced,
}

/// What the bot did with one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done (a recheck ran, an exception was approved or withdrawn, help given).
    Acted,
    /// Not done: the author lacks the right, or the command cannot apply here.
    Refused,
    /// Not a command the bot knows (a typo, a missing reason): answered only.
    Invalid,
}

/// One command as the record keeps it: the audit trail, and the answers
/// the bot's comment gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRecord {
    pub author: String,
    /// `recheck`, `approve`, `unapprove`, `help`, or the word that was not
    /// a command (for an invalid line).
    pub verb: String,
    pub outcome: Outcome,
    /// The sentence the bot's comment says about it.
    pub answer: String,
    pub at: DateTime<Utc>,
    /// The comment that carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<u64>,
}

/// Everything people asked the bot about one item: the exceptions (oldest
/// first, at most one active) and the latest command answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Steering {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<CommandRecord>,
    /// The comment versions whose commands were handled (see
    /// [`comment_key`]), oldest first: a reader of the thread skips them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handled: Vec<String>,
}

impl Steering {
    /// The exception that holds now, if any.
    pub fn active(&self) -> Option<&Exception> {
        self.exceptions.iter().rev().find(|e| e.is_active())
    }

    pub fn is_empty(&self) -> bool {
        self.exceptions.is_empty() && self.answers.is_empty()
    }
}

/// How many command answers the bot's comment shows (the store keeps all).
pub const ANSWERS_SHOWN: usize = 5;
