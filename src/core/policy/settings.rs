//! The project's policy settings as `decide` needs them (validated config).

use crate::core::compat::Downtime;
use crate::core::release::Scheme;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::num::NonZeroUsize;

/// When the downtime warning for a batch becomes due (docs/announcements.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnnounceTrigger {
    /// The batch holds a database change and work has started on it: it is
    /// the next release, or its start date has come.
    #[default]
    WorkStarts,
    /// As soon as the batch holds a database change.
    FirstChange,
    /// Only `schemagate announce`.
    Manual,
}

impl AnnounceTrigger {
    /// The names written in config, in declaration order.
    pub const NAMES: [&'static str; 3] = ["work-starts", "first-change", "manual"];

    /// The trigger a config name stands for.
    pub fn from_name(name: &str) -> Option<AnnounceTrigger> {
        match name {
            "work-starts" => Some(AnnounceTrigger::WorkStarts),
            "first-change" => Some(AnnounceTrigger::FirstChange),
            "manual" => Some(AnnounceTrigger::Manual),
            _ => None,
        }
    }
}

/// Which gate rules are on (docs/policy.md); all on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GateSwitches {
    /// Fail any MR whose milestone is ordered after the next release.
    pub block_ahead_of_next_release: bool,
    /// Fail a database change outside the batch or without a release milestone.
    pub require_batch: bool,
    /// Fail a database change until its batch's downtime warning is sent.
    pub require_announcement: bool,
    /// Fail an MR whose migrations collide with the target branch's.
    pub block_migration_conflicts: bool,
}

impl Default for GateSwitches {
    fn default() -> Self {
        GateSwitches {
            block_ahead_of_next_release: true,
            require_batch: true,
            require_announcement: true,
            block_migration_conflicts: true,
        }
    }
}

/// Everything `decide` needs from the project's configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The database-changes label name.
    pub label: String,
    pub scheme: Scheme,
    /// How many open release milestones may hold database changes at once
    /// (never 0: the type rules it out, so no caller has to normalise it).
    pub max_open_batches: NonZeroUsize,
    /// A new batch must be due at least this far away (or have no due date).
    pub lead_time: Duration,
    /// Put database changes without a milestone into the batch.
    pub assign_milestone: bool,
    pub gate: GateSwitches,
    pub announce_trigger: AnnounceTrigger,
    /// Which migrations need downtime (`downtime`).
    pub downtime: Downtime,
}

impl Policy {
    pub const DEFAULT_LABEL: &'static str = "Database changes";
    pub const DEFAULT_MAX_OPEN_BATCHES: NonZeroUsize = NonZeroUsize::MIN;
    pub const DEFAULT_LEAD_TIME_DAYS: i64 = 14;

    /// The defaults docs/configuration.md gives for a project using `scheme`.
    pub fn new(scheme: Scheme) -> Policy {
        Policy {
            label: Policy::DEFAULT_LABEL.to_string(),
            scheme,
            max_open_batches: Policy::DEFAULT_MAX_OPEN_BATCHES,
            lead_time: Duration::days(Policy::DEFAULT_LEAD_TIME_DAYS),
            assign_milestone: true,
            gate: GateSwitches::default(),
            announce_trigger: AnnounceTrigger::default(),
            downtime: Downtime::default(),
        }
    }
}
