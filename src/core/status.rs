//! What the status page and its JSON say about a project: every release
//! milestone in release order with its downtime, database changes,
//! exceptions and mails, every open MR whose gate fails, and what observe
//! mode held back. Pure: built from what the store recorded (`Recorded`),
//! never from the forge, so a page view costs the forge nothing. The JSON
//! shape is the contract docs/status-page.md documents.

mod build;
mod shape;
#[cfg(test)]
mod tests;

pub use build::{MailRecord, Observed, Recorded, SHIPPED_SHOWN, build, mail_subject};
pub use shape::*;

use crate::core::ids::{ItemKind, ItemNumber, ItemState};
use crate::core::policy::Verdict;
use crate::core::types::{Match, MilestoneId};
use serde::{Deserialize, Serialize};

/// An MR or issue as the bot last read and judged it: recorded with each
/// evaluation (the store's `items.view`), read by the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSeen {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub title: String,
    pub web_url: Option<String>,
    pub state: ItemState,
    #[serde(default)]
    pub draft: bool,
    /// The milestone once the bot's writes are made (in observe mode, the
    /// one it would set).
    pub milestone: Option<MilestoneId>,
    /// The gate's verdict (`None` for issues and closed or merged MRs).
    pub verdict: Option<Verdict>,
    /// The migrations detected in it (empty for issues).
    #[serde(default)]
    pub migrations: Vec<Match>,
    /// MRs: the branch it merges into (conflicts are looked for among
    /// the open MRs of one target branch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_branch: Option<String>,
}
