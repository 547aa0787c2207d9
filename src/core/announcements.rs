//! Which announcement mails a project owes now (docs/announcements.md), from the recorded
//! database changes, the milestones and the ledger: the downtime warning
//! when its trigger fires, digest updates when changes join or all leave an
//! announced batch, and the release notice when an announced batch closes.
//! Pure: the engine gathers the inputs and sends what this returns.

use crate::core::ids::ItemNumber;
use crate::core::policy::{Policy, ProjectState, announcement_due, downtime_milestones};
use crate::core::release::{Scheme, Version};
use crate::core::squash::SquashCut;
use crate::core::types::{Milestone, MilestoneId};
use crate::core::upgrade::{HistoryFacts, Stop, UpgradePolicy, plan_with};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Kinds of announcement mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    /// The downtime warning when work starts on a batch.
    Warning,
    /// A digest of database changes added after the warning.
    Update,
    /// The notice when the milestone closes.
    ReleaseNotice,
}

impl AnnouncementKind {
    pub const ALL: [AnnouncementKind; 3] = [
        AnnouncementKind::Warning,
        AnnouncementKind::Update,
        AnnouncementKind::ReleaseNotice,
    ];

    /// The word used on the command line and in the block (`warning`, `update`, `release`).
    pub fn word(self) -> &'static str {
        match self {
            AnnouncementKind::Warning => "warning",
            AnnouncementKind::Update => "update",
            AnnouncementKind::ReleaseNotice => "release",
        }
    }

    pub fn from_word(word: &str) -> Option<AnnouncementKind> {
        AnnouncementKind::ALL.into_iter().find(|k| k.word() == word)
    }

    /// How people call it: "downtime warning", "update", "release notice".
    pub fn noun(self) -> &'static str {
        match self {
            AnnouncementKind::Warning => "downtime warning",
            AnnouncementKind::Update => "update",
            AnnouncementKind::ReleaseNotice => "release notice",
        }
    }
}

/// What the ledger says of one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerState {
    /// Begun or tried, not confirmed sent: the next try reuses its Message-ID.
    Unsent,
    Sent,
    /// Given up after permanent refusals: not tried again on its own.
    Failed,
}

/// One ledger row as the planner needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub milestone: MilestoneId,
    pub kind: AnnouncementKind,
    pub sequence: u32,
    pub state: LedgerState,
    pub sent_at: Option<DateTime<Utc>>,
    /// The database changes the mail listed, as [`item_key`]s.
    pub items: Vec<String>,
}

/// The project's mail settings beyond the trigger (which is in `Policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailPolicy {
    /// `updates = "digest"`: at most one update per this interval.
    pub digest_interval: Option<Duration>,
    pub release_notice: bool,
}

/// A mail to send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DueMail {
    pub milestone: MilestoneId,
    pub kind: AnnouncementKind,
    pub sequence: u32,
}

/// How a database change is named in the ledger's `items`.
pub fn item_key(kind: crate::core::policy::ItemKind, number: ItemNumber) -> String {
    match kind {
        crate::core::policy::ItemKind::MergeRequest => format!("merge_request:{number}"),
        crate::core::policy::ItemKind::Issue => format!("issue:{number}"),
    }
}

/// The database changes recorded in `milestone`, as item keys.
pub fn current_items(project: &ProjectState, milestone: MilestoneId) -> BTreeSet<String> {
    project
        .db_changes_in(milestone)
        .map(|c| item_key(c.kind, c.number))
        .collect()
}

/// What changed in a batch since it was last announced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchDelta {
    pub added: BTreeSet<String>,
    pub removed: BTreeSet<String>,
    /// The batch held changes when last announced and holds none now.
    pub emptied: bool,
}

impl BatchDelta {
    /// Whether an update mail has something to say.
    pub fn worth_an_update(&self) -> bool {
        !self.added.is_empty() || self.emptied
    }
}

/// `current` against the items of the last mail sent for the batch (the
/// warning or the latest update).
pub fn batch_delta(
    ledger: &[LedgerEntry],
    milestone: MilestoneId,
    current: &BTreeSet<String>,
) -> BatchDelta {
    let last = ledger
        .iter()
        .filter(|e| e.milestone == milestone && e.state == LedgerState::Sent)
        .filter(|e| e.kind != AnnouncementKind::ReleaseNotice)
        .max_by_key(|e| (e.kind == AnnouncementKind::Update, e.sequence));
    let listed: BTreeSet<String> = last
        .map(|e| e.items.iter().cloned().collect())
        .unwrap_or_default();
    BatchDelta {
        added: current.difference(&listed).cloned().collect(),
        removed: listed.difference(current).cloned().collect(),
        emptied: current.is_empty() && !listed.is_empty(),
    }
}

/// The sequence the next update of `milestone` uses: an unsent one's own
/// (a retry keeps its Message-ID), else one past the highest; `None` when the
/// latest update failed for good (people must look at it first).
pub fn next_update_sequence(ledger: &[LedgerEntry], milestone: MilestoneId) -> Option<u32> {
    let latest = ledger
        .iter()
        .filter(|e| e.milestone == milestone && e.kind == AnnouncementKind::Update)
        .max_by_key(|e| e.sequence);
    match latest {
        None => Some(1),
        Some(e) => match e.state {
            LedgerState::Unsent => Some(e.sequence),
            LedgerState::Sent => Some(e.sequence + 1),
            LedgerState::Failed => None,
        },
    }
}

fn entry(
    ledger: &[LedgerEntry],
    milestone: MilestoneId,
    kind: AnnouncementKind,
) -> Option<&LedgerEntry> {
    ledger
        .iter()
        .find(|e| e.milestone == milestone && e.kind == kind && e.sequence == 0)
}

/// Every mail the project owes now, by milestone then kind.
pub fn due_mails(
    project: &ProjectState,
    milestones: &[Milestone],
    policy: &Policy,
    mail: &MailPolicy,
    ledger: &[LedgerEntry],
    now: DateTime<Utc>,
) -> Vec<DueMail> {
    let mut due = BTreeSet::new();
    for batch in downtime_milestones(milestones, project, policy) {
        let failed = entry(ledger, batch, AnnouncementKind::Warning)
            .is_some_and(|e| e.state == LedgerState::Failed);
        if !failed && announcement_due(batch, project, policy, milestones, now) {
            due.insert(DueMail {
                milestone: batch,
                kind: AnnouncementKind::Warning,
                sequence: 0,
            });
        }
    }
    due.extend(begun_warnings_of_shipped_releases(
        project, milestones, ledger,
    ));
    // Only the latest shipped announced release is owed a notice unasked:
    // turning `release_notice` on later must not mail the list about every
    // release of the past.
    let latest_shipped = crate::core::release::release_order(milestones, &policy.scheme)
        .into_iter()
        .filter(|r| !r.milestone.is_open() && project.warning_sent(r.milestone.id).is_some())
        .map(|r| r.milestone.id)
        .next_back();
    for milestone in milestones {
        if project.warning_sent(milestone.id).is_none() {
            continue;
        }
        if milestone.is_open() {
            if let Some(update) = update_due(project, mail, ledger, milestone.id, now) {
                due.insert(update);
            }
            continue;
        }
        let notice = entry(ledger, milestone.id, AnnouncementKind::ReleaseNotice);
        let settled = notice.is_some_and(|e| e.state != LedgerState::Unsent);
        // A notice already begun is finished whatever came since.
        let owed = latest_shipped == Some(milestone.id) || notice.is_some();
        if mail.release_notice && !settled && owed {
            due.insert(DueMail {
                milestone: milestone.id,
                kind: AnnouncementKind::ReleaseNotice,
                sequence: 0,
            });
        }
    }
    due.into_iter().collect()
}

/// Warnings begun before their release shipped: a mail begun is finished,
/// since the list was owed it and admins who have not upgraded yet still
/// need it.
fn begun_warnings_of_shipped_releases<'a>(
    project: &'a ProjectState,
    milestones: &'a [Milestone],
    ledger: &'a [LedgerEntry],
) -> impl Iterator<Item = DueMail> + 'a {
    let shipped = milestones.iter().filter(|m| !m.is_open());
    let owed = shipped.filter(move |milestone| {
        let begun = entry(ledger, milestone.id, AnnouncementKind::Warning)
            .is_some_and(|e| e.state == LedgerState::Unsent);
        let held_changes = project.db_changes_in(milestone.id).next().is_some();
        begun && held_changes && project.warning_sent(milestone.id).is_none()
    });
    owed.map(|milestone| DueMail {
        milestone: milestone.id,
        kind: AnnouncementKind::Warning,
        sequence: 0,
    })
}

/// A digest update for an announced, open milestone: something joined (or
/// everything left) since the last mail, and the last update is at least
/// the interval old.
fn update_due(
    project: &ProjectState,
    mail: &MailPolicy,
    ledger: &[LedgerEntry],
    milestone: MilestoneId,
    now: DateTime<Utc>,
) -> Option<DueMail> {
    let interval = mail.digest_interval?;
    let sequence = next_update_sequence(ledger, milestone)?;
    let delta = batch_delta(ledger, milestone, &current_items(project, milestone));
    if !delta.worth_an_update() {
        return None;
    }
    let last_update = ledger
        .iter()
        .filter(|e| e.milestone == milestone && e.kind == AnnouncementKind::Update)
        .filter_map(|e| e.sent_at)
        .max();
    if last_update.is_some_and(|at| now < at + interval) {
        return None;
    }
    Some(DueMail {
        milestone,
        kind: AnnouncementKind::Update,
        sequence,
    })
}

/// How many "upgrade first" sentences a mail carries at most (the newest).
const MAX_PATH_SENTENCES: usize = 5;

/// "From 23.09.9 or older, upgrade to 23.09.10 first." for each stop that
/// `core::upgrade::plan_with` finds under `policy` between the oldest known
/// release (a closed release milestone) and `milestone`; the releases with
/// database changes are those whose warning went out, and `squash_cuts` are
/// what the caller knows of the history (none when it has no repository).
/// Under `direct` a stop also says why ("…first: 2026.04 deletes …"), and a
/// path with no stop is one sentence: "From any earlier release, upgrade
/// straight to 2026.07." Empty when the milestone is not a release or
/// nothing lies before it.
pub fn upgrade_sentences(
    scheme: &Scheme,
    milestone: &Milestone,
    milestones: &[Milestone],
    ledger: &[LedgerEntry],
    policy: UpgradePolicy,
    squash_cuts: &[SquashCut],
) -> Vec<String> {
    let Some(target) = scheme.parse(&milestone.title) else {
        return Vec::new();
    };
    let mut versions: Vec<Version> = milestones
        .iter()
        .filter(|m| !m.is_open() || m.id == milestone.id)
        .filter_map(|m| scheme.parse(&m.title))
        .filter(|v| *v <= target)
        .collect();
    versions.sort();
    versions.dedup();
    let db_releases: BTreeSet<Version> = ledger
        .iter()
        .filter(|e| e.kind == AnnouncementKind::Warning && e.state == LedgerState::Sent)
        .filter_map(|e| milestones.iter().find(|m| m.id == e.milestone))
        .filter_map(|m| scheme.parse(&m.title))
        .collect();
    let Some(oldest) = versions.first().cloned() else {
        return Vec::new();
    };
    let facts = HistoryFacts {
        db_releases,
        squash_cuts: squash_cuts.to_vec(),
    };
    let Ok(plan) = plan_with(&versions, &oldest, &target, policy, &facts) else {
        return Vec::new();
    };
    if policy == UpgradePolicy::Direct {
        return direct_sentences(&versions, &target, &plan.stops, squash_cuts);
    }
    let mut sentences: Vec<String> = plan
        .stops
        .iter()
        .filter_map(|stop| {
            let before = versions.iter().rev().find(|v| **v < stop.version)?;
            Some(format!(
                "From {before} or older, upgrade to {} first.",
                stop.version
            ))
        })
        .collect();
    if sentences.len() > MAX_PATH_SENTENCES {
        sentences.drain(..sentences.len() - MAX_PATH_SENTENCES);
    }
    sentences
}

/// The direct policy's sentences: one per squash stop, bounded by the
/// newest release that lacks the deleted migrations (a release that carries
/// them all goes straight on), or "straight to" when nothing forces a stop.
fn direct_sentences(
    versions: &[Version],
    target: &Version,
    stops: &[Stop],
    squash_cuts: &[SquashCut],
) -> Vec<String> {
    if stops.is_empty() {
        return vec![format!(
            "From any earlier release, upgrade straight to {target}."
        )];
    }
    let mut sentences: Vec<String> = stops
        .iter()
        .filter_map(|stop| {
            let cut = squash_cuts
                .iter()
                .find(|cut| cut.last_carrier == stop.version)?;
            let lacking = versions
                .iter()
                .rev()
                .find(|v| **v < stop.version && !cut.complete.contains(v))?;
            Some(format!(
                "From {lacking} or older, upgrade to {} first: {} deletes {}, which the squashed \
                 {} replaces, and a database must have applied them all before.",
                stop.version,
                cut.release,
                cut.deleted_list(),
                cut.squashed.join(", ")
            ))
        })
        .collect();
    if sentences.len() > MAX_PATH_SENTENCES {
        sentences.drain(..sentences.len() - MAX_PATH_SENTENCES);
    }
    sentences
}

#[cfg(test)]
mod tests;
