//! The fingerprint of everything one item's decision depends on, so the
//! incremental sync re-evaluates only items whose facts changed. Saved after
//! an evaluation from the state the item has once the writes landed, so a
//! sync right after an event finds nothing to do. Today's date is part of
//! it: dates that pass (a due date, a start date) re-evaluate at most once a day.

use crate::core::ids::ItemNumber;
use crate::core::policy::{ItemKind, ItemState, ProjectState};
use crate::core::types::{Milestone, MilestoneId, MilestoneState};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// One MR or issue as the forge shows it.
#[derive(Debug, Clone)]
pub struct ItemView<'a> {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub state: ItemState,
    pub draft: bool,
    pub labels: &'a [String],
    pub milestone: Option<MilestoneId>,
    pub title: &'a str,
    pub description: &'a str,
    /// MRs only.
    pub head_sha: Option<&'a str>,
    /// The bot set `milestone` (what the store records as `placed_by_bot`).
    pub placed_by_bot: bool,
}

/// What the decision reads besides the item.
#[derive(Debug, Clone)]
pub struct DecisionContext<'a> {
    pub milestones: &'a [Milestone],
    pub project: &'a ProjectState,
    /// Issues: the database-change MRs that close it.
    pub closing_merge_requests: &'a [ItemNumber],
    /// The rules that detect migrations (see `facts::rules_digest`).
    pub rules_digest: &'a str,
    /// The project's policy settings.
    pub settings_digest: &'a str,
    pub today: NaiveDate,
}

const DB_CHANGE_PREFIX: &str = "db:";

/// A hex digest; equal inputs give equal digests, whatever the order of
/// labels or milestones. `is_db_change` is the evaluation's verdict on the
/// item: only a database change reads which milestones hold the others (the
/// batches), so only its fingerprint carries them.
pub fn fingerprint(item: &ItemView, context: &DecisionContext, is_db_change: bool) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "item {:?} {} {:?} draft={} milestone={:?} head={:?}",
        item.kind, item.number, item.state, item.draft, item.milestone, item.head_sha
    );
    let mut labels: Vec<String> = item.labels.iter().map(|l| l.to_lowercase()).collect();
    labels.sort();
    labels.dedup();
    let _ = writeln!(text, "labels {labels:?}");
    let _ = writeln!(text, "title {:?}", item.title);
    let _ = writeln!(text, "description {:?}", item.description);

    write_milestones(&mut text, context.milestones);
    if is_db_change {
        write_holding(&mut text, item, context.project);
    }
    let mut warnings: Vec<(MilestoneId, i64)> = context
        .project
        .warnings_sent
        .iter()
        .map(|w| (w.milestone, w.sent_at.timestamp()))
        .collect();
    warnings.sort();
    let _ = writeln!(text, "warnings {warnings:?}");
    // Only when there are any, so that fingerprints from before this line stay valid.
    let mut failed = context.project.warnings_failed.clone();
    if !failed.is_empty() {
        failed.sort();
        let _ = writeln!(text, "warnings refused {failed:?}");
    }
    let mut closing = context.closing_merge_requests.to_vec();
    closing.sort();
    let _ = writeln!(text, "closed by {closing:?}");
    let _ = writeln!(text, "rules {}", context.rules_digest);
    let _ = writeln!(text, "settings {}", context.settings_digest);
    let _ = writeln!(text, "today {}", context.today);
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    if is_db_change {
        format!("{DB_CHANGE_PREFIX}{digest}")
    } else {
        digest
    }
}

fn write_milestones(text: &mut String, milestones: &[Milestone]) {
    let mut milestones: Vec<&Milestone> = milestones.iter().collect();
    milestones.sort_by_key(|m| m.id);
    for m in milestones {
        let state = match m.state {
            MilestoneState::Open => "open",
            MilestoneState::Closed => "closed",
        };
        let _ = writeln!(
            text,
            "milestone {} {:?} {state} {:?} {:?}",
            m.id, m.title, m.start_date, m.due_date
        );
    }
}

/// Other items count only by the milestones they hold and whether the bot
/// placed a change there, with this one's: that is all a database change's
/// decision reads of them (which releases are batches). Another change
/// joining the same batch alters nothing here.
fn write_holding(text: &mut String, item: &ItemView, project: &ProjectState) {
    let mut holding: Vec<(MilestoneId, bool)> = project
        .db_changes
        .iter()
        .filter(|c| !(c.kind == item.kind && c.number == item.number))
        .map(|c| (c.milestone, c.placed_by_bot))
        .chain(item.milestone.map(|m| (m, item.placed_by_bot)))
        .collect();
    holding.sort();
    holding.dedup();
    let _ = writeln!(text, "holding {holding:?}");
}

/// Marks the fingerprint an evaluation in observe mode saves: it describes
/// the item as read, before writes the bot still owes.
pub const OBSERVED_PREFIX: &str = "observed:";

/// Whether `stored` (saved by the last evaluation) still describes the
/// item; the verdict on being a database change is read back from it, as
/// it follows from the item's own facts, which the digest covers.
pub fn still_current(stored: &str, item: &ItemView, context: &DecisionContext) -> bool {
    let is_db_change = stored.starts_with(DB_CHANGE_PREFIX);
    fingerprint(item, context, is_db_change) == stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::{DbItemRef, WarningSent};
    use chrono::{TimeZone, Utc};

    fn milestone(id: u64, title: &str) -> Milestone {
        Milestone {
            id: MilestoneId(id),
            title: title.into(),
            state: MilestoneState::Open,
            start_date: None,
            due_date: NaiveDate::from_ymd_opt(2026, 12, 1),
            description: String::new(),
            web_url: None,
        }
    }

    fn db_change(number: u64, milestone: u64) -> DbItemRef {
        DbItemRef {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(number),
            title: format!("MR {number}"),
            web_url: None,
            milestone: MilestoneId(milestone),
            placed_by_bot: false,
            exception: None,
            conflicts: Vec::new(),
            breaking: Vec::new(),
        }
    }

    struct Fixture {
        labels: Vec<String>,
        milestones: Vec<Milestone>,
        project: ProjectState,
        today: NaiveDate,
        head: &'static str,
    }

    impl Fixture {
        fn new() -> Fixture {
            Fixture {
                labels: vec!["Database changes".into(), "backend".into()],
                milestones: vec![milestone(1, "2026.11"), milestone(2, "2026.12")],
                project: ProjectState {
                    db_changes: vec![db_change(7, 1), db_change(3, 2)],
                    warnings_sent: Vec::new(),
                    warnings_sending: Vec::new(),
                    warnings_failed: Vec::new(),
                },
                today: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
                head: "abc",
            }
        }

        fn digest(&self) -> String {
            let item = ItemView {
                kind: ItemKind::MergeRequest,
                number: ItemNumber(7),
                state: ItemState::Open,
                draft: false,
                labels: &self.labels,
                milestone: Some(MilestoneId(2)),
                title: "Add devices",
                description: "Closes #4",
                head_sha: Some(self.head),
                placed_by_bot: true,
            };
            fingerprint(
                &item,
                &DecisionContext {
                    milestones: &self.milestones,
                    project: &self.project,
                    closing_merge_requests: &[],
                    rules_digest: "r1",
                    settings_digest: "s1",
                    today: self.today,
                },
                true,
            )
        }
    }

    #[test]
    fn who_placed_another_change_counts_because_it_ranks_the_batches() {
        let mut by_person = Fixture::new();
        by_person.project.db_changes.push(db_change(9, 1));
        let mut by_bot = Fixture::new();
        let mut change = db_change(9, 1);
        change.placed_by_bot = true;
        by_bot.project.db_changes.push(change);
        assert_ne!(by_person.digest(), by_bot.digest());
    }

    #[test]
    fn an_item_that_is_no_database_change_ignores_where_the_others_are() {
        let fixture = Fixture::new();
        let mut other = Fixture::new();
        other.project.db_changes.push(db_change(9, 1));
        let digest = |f: &Fixture| {
            let item = ItemView {
                kind: ItemKind::MergeRequest,
                number: ItemNumber(7),
                state: ItemState::Open,
                draft: false,
                labels: &f.labels,
                milestone: None,
                title: "t",
                description: "",
                head_sha: Some("abc"),
                placed_by_bot: false,
            };
            let context = DecisionContext {
                milestones: &f.milestones,
                project: &f.project,
                closing_merge_requests: &[],
                rules_digest: "r",
                settings_digest: "s",
                today: f.today,
            };
            (
                fingerprint(&item, &context, false),
                still_current(&fingerprint(&item, &context, true), &item, &context),
            )
        };
        assert_eq!(digest(&fixture).0, digest(&other).0);
        assert!(
            digest(&fixture).1,
            "a stored database-change digest reads back"
        );
    }

    #[test]
    fn order_and_case_of_labels_and_milestones_do_not_matter() {
        let base = Fixture::new();
        let mut shuffled = Fixture::new();
        shuffled.labels = vec!["BACKEND".into(), "database changes".into()];
        shuffled.milestones.reverse();
        assert_eq!(base.digest(), shuffled.digest());
    }

    #[test]
    fn the_items_own_entry_and_other_items_titles_do_not_matter() {
        let base = Fixture::new();
        let mut moved = Fixture::new();
        // This item's own recorded entry changes with every evaluation.
        moved.project.db_changes[0].milestone = MilestoneId(2);
        moved.project.db_changes[1].title = "renamed".into();
        assert_eq!(base.digest(), moved.digest());
    }

    #[test]
    fn a_push_a_milestone_edit_a_new_batch_a_warning_or_a_new_day_changes_it() {
        let base = Fixture::new().digest();
        let mut pushed = Fixture::new();
        pushed.head = "def";
        let mut closed = Fixture::new();
        closed.milestones[0].state = MilestoneState::Closed;
        let mut new_batch = Fixture::new();
        new_batch.project.db_changes.push(db_change(9, 1));
        let mut joined = Fixture::new();
        joined.project.db_changes.push(db_change(9, 2));
        assert_eq!(
            joined.digest(),
            base,
            "joining this item's batch changes nothing"
        );
        let mut warned = Fixture::new();
        warned.project.warnings_sent.push(WarningSent {
            milestone: MilestoneId(2),
            sent_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        });
        let mut tomorrow = Fixture::new();
        tomorrow.today = tomorrow.today.succ_opt().unwrap();
        let mut unlabelled = Fixture::new();
        unlabelled.labels.remove(0);
        for changed in [pushed, closed, new_batch, warned, tomorrow, unlabelled] {
            assert_ne!(changed.digest(), base);
        }
    }
}
