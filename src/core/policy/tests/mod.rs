//! Table tests for `decide`: each test is one small scenario in plain words,
//! set in a LAVA-like project on 2026-11-03 (see `World::lava`).

mod announce;
mod exceptions;
mod gate;
mod items;
mod labels;
mod placement;

use super::*;
use crate::core::ids::ItemNumber;
use crate::core::release::Scheme;
use crate::core::types::{ChangeKind, Match, MigrationKind, MilestoneId, MilestoneState};
use chrono::{NaiveDate, TimeZone};

pub const LABEL: &str = "Database changes";
/// Shipped last month.
pub const M2026_10: MilestoneId = MilestoneId(10);
/// The next release, due in 7 days: inside the 14-day lead time.
pub const M2026_11: MilestoneId = MilestoneId(11);
/// Due in six weeks: the first milestone a new batch may start in.
pub const M2026_12: MilestoneId = MilestoneId(12);
pub const M2027_01: MilestoneId = MilestoneId(13);
pub const BACKLOG: MilestoneId = MilestoneId(99);

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn milestone(id: MilestoneId, title: &str, due: Option<&str>) -> Milestone {
    Milestone {
        id,
        title: title.into(),
        state: MilestoneState::Open,
        start_date: None,
        due_date: due.map(date),
        description: String::new(),
        web_url: None,
    }
}

/// The project around the item: milestones, recorded database changes,
/// warnings sent, the policy and the clock.
#[derive(Debug, Clone)]
pub struct World {
    pub milestones: Vec<Milestone>,
    pub project: ProjectState,
    pub policy: Policy,
    pub now: DateTime<Utc>,
}

impl World {
    /// 2026.10 (closed), 2026.11 (next, due 2026-11-10), 2026.12 (due
    /// 2026-12-15), 2027.01 (due 2027-01-31) and Backlog; no database
    /// changes yet; default policy; now is 2026-11-03 12:00 UTC.
    pub fn lava() -> World {
        let mut shipped = milestone(M2026_10, "2026.10", Some("2026-10-31"));
        shipped.state = MilestoneState::Closed;
        World {
            milestones: vec![
                shipped,
                milestone(M2026_11, "2026.11", Some("2026-11-10")),
                milestone(M2026_12, "2026.12", Some("2026-12-15")),
                milestone(M2027_01, "2027.01", Some("2027-01-31")),
                milestone(BACKLOG, "Backlog", None),
            ],
            project: ProjectState::default(),
            policy: Policy::new(Scheme::Calver),
            now: Utc.with_ymd_and_hms(2026, 11, 3, 12, 0, 0).unwrap(),
        }
    }

    fn milestone_mut(&mut self, id: MilestoneId) -> &mut Milestone {
        self.milestones
            .iter_mut()
            .find(|m| m.id == id)
            .expect("fixture milestone")
    }

    /// Another MR already recorded as a database change the bot placed in `milestone`.
    pub fn db_change_in(self, number: u64, milestone: MilestoneId) -> World {
        self.recorded_change(number, milestone, true)
    }

    /// Another MR a person put in `milestone`, recorded as a database change.
    pub fn db_change_placed_by_person_in(self, number: u64, milestone: MilestoneId) -> World {
        self.recorded_change(number, milestone, false)
    }

    fn recorded_change(
        mut self,
        number: u64,
        milestone: MilestoneId,
        placed_by_bot: bool,
    ) -> World {
        self.project.db_changes.push(DbItemRef {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(number),
            title: format!("Other change {number}"),
            web_url: None,
            milestone,
            placed_by_bot,
            exception: None,
            conflicts: Vec::new(),
            breaking: Vec::new(),
        });
        self
    }

    pub fn warning_sent(mut self, milestone: MilestoneId, on: &str) -> World {
        let sent_at = date(on).and_hms_opt(9, 30, 0).unwrap().and_utc();
        self.project
            .warnings_sent
            .push(WarningSent { milestone, sent_at });
        self
    }

    pub fn warning_refused(mut self, milestone: MilestoneId) -> World {
        self.project.warnings_failed.push(milestone);
        self
    }

    pub fn closed(mut self, id: MilestoneId) -> World {
        self.milestone_mut(id).state = MilestoneState::Closed;
        self
    }

    pub fn due(mut self, id: MilestoneId, due: Option<&str>) -> World {
        self.milestone_mut(id).due_date = due.map(date);
        self
    }

    pub fn starts(mut self, id: MilestoneId, start: &str) -> World {
        self.milestone_mut(id).start_date = Some(date(start));
        self
    }

    pub fn policy(mut self, change: impl FnOnce(&mut Policy)) -> World {
        change(&mut self.policy);
        self
    }

    pub fn decide(&self, item: &ItemFacts) -> Decision {
        decide(
            item,
            &self.project,
            &self.milestones,
            &self.policy,
            self.now,
        )
    }

    pub fn announcement_due(&self, milestone: MilestoneId) -> bool {
        announcement_due(
            milestone,
            &self.project,
            &self.policy,
            &self.milestones,
            self.now,
        )
    }

    /// What the engine does after a decision: apply the writes to the item
    /// and record its database change in the store.
    pub fn apply(&mut self, item: &ItemFacts, decision: &Decision) -> ItemFacts {
        let mut after = item.clone();
        after.labels = decision.labels_after(item);
        after.milestone = decision.milestone_after(item);
        after.ownership = decision.ownership.clone();
        after.has_bot_comment |= decision.comment.is_some();
        self.project = self
            .project
            .with_entry_of(item, recorded_db_change(item, decision));
        after
    }
}

fn item(kind: ItemKind, number: u64) -> ItemFacts {
    ItemFacts {
        kind,
        number: ItemNumber(number),
        title: format!("Item {number}"),
        web_url: Some(format!("https://forge.example/lava/lava/-/{number}")),
        state: ItemState::Open,
        draft: false,
        labels: Vec::new(),
        milestone: None,
        matches: Vec::new(),
        db_change_reason: None,
        ownership: Ownership::default(),
        has_bot_comment: false,
        migration_files: Vec::new(),
        steering: Default::default(),
        conflicts: Vec::new(),
    }
}

/// An open merge request with no migrations, labels or milestone.
pub fn mr(number: u64) -> ItemFacts {
    item(ItemKind::MergeRequest, number)
}

/// An open issue with no labels or milestone.
pub fn issue(number: u64) -> ItemFacts {
    item(ItemKind::Issue, number)
}

/// Builders that read like the scenario they set up.
pub trait Given: Sized {
    fn found(self, path: &str, change: ChangeKind, kind: MigrationKind) -> Self;
    fn with_migration(self) -> Self {
        self.found(
            "lava_scheduler_app/migrations/0042_device_health.py",
            ChangeKind::Added,
            MigrationKind::Schema,
        )
    }
    fn person_milestone(self, id: MilestoneId) -> Self;
    fn bot_milestone(self, id: MilestoneId) -> Self;
    fn person_label(self, label: &str) -> Self;
    fn bot_label(self) -> Self;
    fn state(self, state: ItemState) -> Self;
    fn reason(self, reason: DbChangeReason) -> Self;
    fn with_bot_comment(self) -> Self;
}

impl Given for ItemFacts {
    fn found(mut self, path: &str, change: ChangeKind, kind: MigrationKind) -> Self {
        self.matches.push(Match {
            path: path.into(),
            change,
            framework: "django".into(),
            kind,
            reason: String::new(),
            order: None,
            compat: crate::core::compat::Compat::Expand,
            operations: Vec::new(),
        });
        self
    }
    fn person_milestone(mut self, id: MilestoneId) -> Self {
        self.milestone = Some(id);
        self
    }
    fn bot_milestone(mut self, id: MilestoneId) -> Self {
        self.milestone = Some(id);
        self.ownership.bot_set_milestone = Some(id);
        self
    }
    fn person_label(mut self, label: &str) -> Self {
        self.labels.push(label.into());
        self
    }
    fn bot_label(mut self) -> Self {
        self.labels.push(LABEL.into());
        self.ownership.bot_added_label = true;
        self
    }
    fn state(mut self, state: ItemState) -> Self {
        self.state = state;
        self
    }
    fn reason(mut self, reason: DbChangeReason) -> Self {
        self.db_change_reason = Some(reason);
        self
    }
    fn with_bot_comment(mut self) -> Self {
        self.has_bot_comment = true;
        self
    }
}

/// Assertions on a decision, each failing with the scenario's words.
pub trait Then {
    fn verdict_ref(&self) -> &Verdict;
    fn passes_with(&self, summary: &str);
    fn fails_with(&self, reasons: &[&str]);
    fn no_label_or_milestone_writes(&self);
}

impl Then for Decision {
    fn verdict_ref(&self) -> &Verdict {
        self.verdict.as_ref().expect("an MR gets a verdict")
    }
    fn passes_with(&self, summary: &str) {
        let verdict = self.verdict_ref();
        assert_eq!(verdict.state, GateState::Success, "{verdict:?}");
        assert_eq!(verdict.summary, summary);
        assert!(verdict.reasons.is_empty());
    }
    fn fails_with(&self, reasons: &[&str]) {
        let verdict = self.verdict_ref();
        assert_eq!(verdict.state, GateState::Failure, "{verdict:?}");
        assert_eq!(verdict.reasons, reasons);
    }
    fn no_label_or_milestone_writes(&self) {
        assert!(
            self.labels_to_add.is_empty()
                && self.labels_to_remove.is_empty()
                && self.milestone_change.is_none(),
            "expected no label or milestone writes: {self:?}"
        );
    }
}

pub const AHEAD_OF_2026_11: &str =
    "2026.12 is ahead of the next release 2026.11; merge after 2026.11 ships";
pub const NOT_SENT_2026_11: &str = "the downtime warning for 2026.11 has not been sent yet";
pub const NOT_SENT_2026_12: &str = "the downtime warning for 2026.12 has not been sent yet";
