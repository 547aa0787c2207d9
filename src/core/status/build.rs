//! Builds one project's status from what the store recorded: the releases
//! through the policy's own rules (`downtime_milestones`, `batch_milestones`,
//! `announcement_due`), so the page and the gate cannot disagree.

use super::ItemSeen;
use super::shape::*;
use crate::core::announcements::AnnouncementKind;
use crate::core::ids::{ForgeKind, ItemKind, ItemState, item_reference};
use crate::core::policy::{
    DbItemRef, Policy, ProjectState, announcement_due, batch_milestones, downtime_milestones,
};
use crate::core::release::{next_release, release_order};
use crate::core::types::{Milestone, MilestoneId, milestone_title};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// How many shipped releases the page shows before the open ones.
pub const SHIPPED_SHOWN: usize = 3;

/// One row of the announcement ledger, as the store has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecord {
    pub milestone: MilestoneId,
    pub kind: AnnouncementKind,
    pub sequence: u32,
    /// The ledger's word: `pending`, `sending`, `sent` or `failed`.
    pub state: &'static str,
    pub sent_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// What observe mode held back for one subject: `merge_request:12`,
/// `issue:3`, `block:7` (a milestone's description) or `mail:7:warning:0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub subject: String,
    pub lines: Vec<String>,
    pub at: DateTime<Utc>,
}

/// Everything the store recorded about one project, and where its page is.
pub struct Recorded<'a> {
    pub forge: ForgeKind,
    pub path: &'a str,
    pub project_url: Option<String>,
    pub policy: &'a Policy,
    /// The project has an announce list and the bot a mail server.
    pub announces: bool,
    pub milestones: &'a [Milestone],
    pub milestones_read_at: Option<DateTime<Utc>>,
    pub state: &'a ProjectState,
    pub items: &'a [ItemSeen],
    pub mails: &'a [MailRecord],
    pub observed: &'a [Observed],
    pub last_sync: Option<SyncNote>,
    pub forge_health: Option<String>,
    pub dead_jobs: u64,
    /// The project page's path on this server; mail previews hang below it.
    pub page_path: &'a str,
    pub now: DateTime<Utc>,
}

/// The project's status.
pub fn build(recorded: &Recorded<'_>) -> ProjectStatus {
    let items: HashMap<(ItemKind, u64), &ItemSeen> = recorded
        .items
        .iter()
        .map(|item| ((item.kind, item.number.0), item))
        .collect();
    let scheme = &recorded.policy.scheme;
    let next = next_release(recorded.milestones, scheme).map(|r| r.milestone.id);
    let context = Context {
        recorded,
        items: &items,
        next,
        downtime: downtime_milestones(recorded.milestones, recorded.state, recorded.policy),
        batches: batch_milestones(recorded.milestones, recorded.state, recorded.policy),
    };
    let ordered = release_order(recorded.milestones, scheme);
    let shipped = ordered.iter().filter(|r| !r.milestone.is_open()).count();
    let skip = shipped.saturating_sub(SHIPPED_SHOWN);
    let mut skipped = 0;
    let releases = ordered
        .iter()
        .filter(|r| {
            let old = !r.milestone.is_open() && skipped < skip;
            skipped += usize::from(old);
            !old
        })
        .map(|r| context.release(r.milestone))
        .collect();
    ProjectStatus {
        forge: recorded.forge.name().to_string(),
        path: recorded.path.to_string(),
        url: recorded.project_url.clone(),
        next_release: next
            .and_then(|id| milestone(recorded.milestones, id))
            .map(|m| m.title.clone()),
        releases,
        blocked: context.blocked(),
        planned: context.planned(),
        milestones_read_at: recorded.milestones_read_at,
        last_sync: recorded.last_sync.clone(),
        forge_health: recorded.forge_health.clone(),
        dead_jobs: recorded.dead_jobs,
    }
}

struct Context<'r, 'a> {
    recorded: &'r Recorded<'a>,
    items: &'r HashMap<(ItemKind, u64), &'r ItemSeen>,
    next: Option<MilestoneId>,
    downtime: Vec<MilestoneId>,
    batches: Vec<MilestoneId>,
}

impl Context<'_, '_> {
    fn reference(&self, kind: ItemKind, number: u64) -> String {
        item_reference(
            self.recorded.forge,
            kind,
            crate::core::ids::ItemNumber(number),
        )
    }

    fn release(&self, milestone: &Milestone) -> ReleaseStatus {
        let mut listed: Vec<&DbItemRef> = self.recorded.state.db_changes_in(milestone.id).collect();
        listed.sort_by_key(|c| (c.kind, c.number));
        let (downtime, downtime_why) = self.downtime_of(milestone, &listed);
        ReleaseStatus {
            title: milestone.title.clone(),
            url: milestone.web_url.clone(),
            due_date: milestone.due_date,
            state: if milestone.is_open() {
                "open"
            } else {
                "closed"
            },
            next: self.next == Some(milestone.id),
            downtime,
            downtime_why,
            batch: self.batches.contains(&milestone.id),
            db_changes: listed.iter().map(|c| self.db_change(c)).collect(),
            exceptions: listed
                .iter()
                .filter_map(|c| {
                    let note = c.exception.as_ref()?;
                    Some(ExceptionShown {
                        reference: self.reference(c.kind, c.number.0),
                        url: c.web_url.clone(),
                        approver: note.approver.clone(),
                        reason: note.reason.clone(),
                    })
                })
                .collect(),
            warning: self.warning(milestone, !listed.is_empty()),
            mails: self.mails_of(milestone.id),
            planned_mails: self.planned_mails(milestone.id),
        }
    }

    fn downtime_of(&self, milestone: &Milestone, listed: &[&DbItemRef]) -> (bool, String) {
        let refs: Vec<String> = listed
            .iter()
            .map(|c| self.reference(c.kind, c.number.0))
            .collect();
        let count = match refs.len() {
            1 => "1 database change".to_string(),
            n => format!("{n} database changes"),
        };
        let named = refs.join(", ");
        if !milestone.is_open() {
            return match refs.is_empty() {
                true => (false, "it shipped no database change".to_string()),
                false => (true, format!("it shipped {count}: {named}")),
            };
        }
        if refs.is_empty() {
            return (false, "it holds no database change".to_string());
        }
        if self.batches.contains(&milestone.id) {
            return (true, format!("it holds {count}: {named}"));
        }
        if self.downtime.contains(&milestone.id) {
            let excepted: Vec<String> = listed
                .iter()
                .filter(|c| c.exception.is_some())
                .map(|c| self.reference(c.kind, c.number.0))
                .collect();
            return (
                true,
                format!(
                    "an approved exception let a database change in: {}",
                    excepted.join(", ")
                ),
            );
        }
        (
            false,
            format!(
                "its {count} ({named}) {} outside the batch and blocked until moved",
                if refs.len() == 1 { "is" } else { "are" }
            ),
        )
    }

    fn db_change(&self, change: &DbItemRef) -> DbChange {
        let seen = self.items.get(&(change.kind, change.number.0));
        DbChange {
            reference: self.reference(change.kind, change.number.0),
            kind: kind_word(change.kind),
            number: change.number.0,
            url: change.web_url.clone(),
            title: change.title.clone(),
            state: seen.map_or("open", |s| state_word(s.state)),
            draft: seen.is_some_and(|s| s.draft),
            migrations: seen
                .map(|s| {
                    s.migrations
                        .iter()
                        .filter(|m| m.kind.is_db_change())
                        .map(|m| MigrationShown {
                            path: m.path.clone(),
                            kind: m.kind.as_str(),
                            framework: m.framework.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn warning(&self, milestone: &Milestone, holds_changes: bool) -> WarningStatus {
        let recorded = self.recorded;
        let row = recorded.mails.iter().find(|m| {
            m.milestone == milestone.id && m.kind == AnnouncementKind::Warning && m.sequence == 0
        });
        let status = |state, sent_at, error, note: String| WarningStatus {
            state,
            sent_at,
            error,
            note,
        };
        if let Some(row) = row {
            return match row.state {
                "sent" => {
                    let on = row.sent_at.map(|t| t.date_naive().to_string());
                    let note = format!("sent on {}", on.as_deref().unwrap_or("an unknown day"));
                    status(WarningState::Sent, row.sent_at, None, note)
                }
                "failed" => status(
                    WarningState::Refused,
                    None,
                    row.error.clone(),
                    "refused by the mail server; `schemagate announce` sends it".to_string(),
                ),
                _ => status(
                    WarningState::Pending,
                    None,
                    row.error.clone(),
                    match &row.error {
                        Some(_) => "not sent yet; trying again".to_string(),
                        None => "being sent".to_string(),
                    },
                ),
            };
        }
        let due = milestone.is_open()
            && announcement_due(
                milestone.id,
                recorded.state,
                recorded.policy,
                recorded.milestones,
                recorded.now,
            );
        let note = if !self.downtime.contains(&milestone.id) {
            match holds_changes && !milestone.is_open() {
                true => "shipped without a warning",
                false => "no downtime, no warning",
            }
        } else if !recorded.announces {
            "no announce list is configured"
        } else if self.planned_mail(milestone.id, AnnouncementKind::Warning) {
            "observe mode: it would be sent now"
        } else if due {
            "due now"
        } else {
            "sent when work on the release starts"
        };
        let state = match due && recorded.announces {
            true => WarningState::Pending,
            false => WarningState::NotDue,
        };
        status(state, None, None, note.to_string())
    }

    fn mails_of(&self, milestone: MilestoneId) -> Vec<MailStatus> {
        let mut rows: Vec<&MailRecord> = (self.recorded.mails.iter())
            .filter(|m| m.milestone == milestone)
            .collect();
        rows.sort_by_key(|m| (m.kind, m.sequence));
        rows.into_iter()
            .map(|m| MailStatus {
                kind: m.kind.word(),
                sequence: m.sequence,
                state: if m.state == "failed" {
                    "refused"
                } else {
                    m.state
                },
                sent_at: m.sent_at,
                error: m.error.clone(),
            })
            .collect()
    }

    fn planned_mail(&self, milestone: MilestoneId, kind: AnnouncementKind) -> bool {
        self.planned_mails(milestone)
            .iter()
            .any(|m| m.kind == kind.word())
    }

    fn planned_mails(&self, milestone: MilestoneId) -> Vec<PlannedMail> {
        (self.recorded.observed.iter())
            .filter_map(|o| {
                let (id, kind, sequence) = mail_subject(&o.subject)?;
                (id == milestone).then(|| PlannedMail {
                    kind: kind.word(),
                    sequence,
                    preview_url: format!(
                        "{}/-/mail/{}/{}/{sequence}",
                        self.recorded.page_path,
                        id.0,
                        kind.word()
                    ),
                    at: o.at,
                })
            })
            .collect()
    }

    fn blocked(&self) -> Vec<BlockedItem> {
        let mut blocked: Vec<&ItemSeen> = (self.recorded.items.iter())
            .filter(|i| i.kind == ItemKind::MergeRequest && i.state == ItemState::Open)
            .filter(|i| i.verdict.as_ref().is_some_and(|v| !v.passed()))
            .collect();
        blocked.sort_by_key(|i| i.number);
        blocked
            .into_iter()
            .map(|item| {
                let verdict = item.verdict.as_ref().expect("filtered on a verdict");
                BlockedItem {
                    reference: self.reference(item.kind, item.number.0),
                    url: item.web_url.clone(),
                    title: item.title.clone(),
                    draft: item.draft,
                    milestone: item.milestone.map(|id| self.milestone_title(id)),
                    reasons: verdict.reasons.clone(),
                    advice: verdict.advice.clone(),
                }
            })
            .collect()
    }

    fn planned(&self) -> Vec<PlannedWrites> {
        let mut planned: Vec<PlannedWrites> = (self.recorded.observed.iter())
            .filter_map(|o| {
                let (reference, url, title) = self.planned_subject(&o.subject)?;
                Some(PlannedWrites {
                    reference,
                    url,
                    title,
                    writes: o.lines.clone(),
                    at: o.at,
                })
            })
            .collect();
        planned.sort_by(|a, b| a.reference.cmp(&b.reference));
        planned
    }

    /// What an item's or a block's planned writes are about; `None` for a mail.
    fn planned_subject(&self, subject: &str) -> Option<(String, Option<String>, String)> {
        let (what, number) = subject.split_once(':')?;
        let number: u64 = number.parse().ok()?;
        let kind = match what {
            "merge_request" => ItemKind::MergeRequest,
            "issue" => ItemKind::Issue,
            "block" => {
                let found = milestone(self.recorded.milestones, MilestoneId(number));
                let title = self.milestone_title(MilestoneId(number));
                let url = found.and_then(|m| m.web_url.clone());
                return Some((title.clone(), url, format!("the description of {title}")));
            }
            _ => return None,
        };
        let seen = self.items.get(&(kind, number));
        Some((
            self.reference(kind, number),
            seen.and_then(|s| s.web_url.clone()),
            seen.map(|s| s.title.clone()).unwrap_or_default(),
        ))
    }

    fn milestone_title(&self, id: MilestoneId) -> String {
        milestone_title(self.recorded.milestones, id)
    }
}

/// `mail:7:warning:0` → (7, warning, 0).
pub fn mail_subject(subject: &str) -> Option<(MilestoneId, AnnouncementKind, u32)> {
    let mut parts = subject.strip_prefix("mail:")?.split(':');
    let id = parts.next()?.parse().ok()?;
    let kind = AnnouncementKind::from_word(parts.next()?)?;
    let sequence = parts.next()?.parse().ok()?;
    parts
        .next()
        .is_none()
        .then_some((MilestoneId(id), kind, sequence))
}

fn milestone(milestones: &[Milestone], id: MilestoneId) -> Option<&Milestone> {
    milestones.iter().find(|m| m.id == id)
}

fn kind_word(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::MergeRequest => "merge_request",
        ItemKind::Issue => "issue",
    }
}

fn state_word(state: ItemState) -> &'static str {
    match state {
        ItemState::Open => "open",
        ItemState::Merged => "merged",
        ItemState::Closed => "closed",
    }
}
