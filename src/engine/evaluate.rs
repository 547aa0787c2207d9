//! The one evaluation path shared by MRs and issues: facts → `decide` →
//! desired state (`prepare`, reads only, also used by dry runs), then the
//! writes and the record (`commit`): the write-ahead note, `apply_changes`,
//! the final record with ownership, comment, status, database-change entry
//! and fingerprint, and the follow-up work the decision implies.

use super::Engine;
use super::desired::{StatusTarget, desired_state};
use super::events::EncodedWork;
use super::failure::Step;
use super::fingerprint::{DecisionContext, ItemView, fingerprint};
use super::pending::{credit_unfinished_writes, pending_for};
use super::project::ProjectContext;
use crate::core::announcements::AnnouncementKind;
use crate::core::policy::{
    DbChangeReason, DbItemRef, Decision, GateState, ItemFacts, ProjectState, batch_milestones,
    decide, milestones_affected_by, recorded_db_change,
};
use crate::core::types::{Milestone, MilestoneId};
use crate::forge::apply::{DesiredState, ItemSnapshot, PreviousWrites, apply_changes, item_delta};
use crate::forge::{
    CommitSha, Issue, ItemKind, ItemNumber, ItemState, ItemUpdate, MergeRequest, MilestoneUpdate,
};
use crate::store::{CachedMatches, ItemKey, ItemRecord};
use chrono::Utc;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// An MR or issue as read from the forge, in one shape.
#[derive(Debug, Clone)]
pub(super) struct Subject {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub title: String,
    pub description: String,
    pub web_url: String,
    pub state: ItemState,
    pub draft: bool,
    pub labels: Vec<String>,
    pub milestone: Option<MilestoneId>,
    /// MRs only.
    pub head_sha: Option<CommitSha>,
}

impl From<&MergeRequest> for Subject {
    fn from(mr: &MergeRequest) -> Self {
        Subject {
            kind: ItemKind::MergeRequest,
            number: mr.number,
            title: mr.title.clone(),
            description: mr.description.clone(),
            web_url: mr.web_url.clone(),
            state: mr.state,
            draft: mr.draft,
            labels: mr.labels.clone(),
            milestone: mr.milestone,
            head_sha: Some(mr.head_sha.clone()),
        }
    }
}

impl From<&Issue> for Subject {
    fn from(issue: &Issue) -> Self {
        Subject {
            kind: ItemKind::Issue,
            number: issue.number,
            title: issue.title.clone(),
            description: issue.description.clone(),
            web_url: issue.web_url.clone(),
            state: issue.state,
            draft: false,
            labels: issue.labels.clone(),
            milestone: issue.milestone,
            head_sha: None,
        }
    }
}

impl Subject {
    /// The item as the fingerprint sees it, with `labels` and `milestone`
    /// (before or after the writes).
    pub fn view<'a>(
        &'a self,
        labels: &'a [String],
        milestone: Option<MilestoneId>,
        bot_milestone: Option<MilestoneId>,
    ) -> ItemView<'a> {
        ItemView {
            kind: self.kind,
            number: self.number,
            state: self.state,
            draft: self.draft,
            labels,
            milestone,
            title: &self.title,
            description: &self.description,
            head_sha: self.head_sha.as_ref().map(|s| s.0.as_str()),
            placed_by_bot: milestone.is_some() && milestone == bot_milestone,
        }
    }
}

/// Everything an evaluation read and decided, before any write.
pub(super) struct Prepared {
    pub subject: Subject,
    pub key: ItemKey,
    /// The record as loaded.
    pub record: ItemRecord,
    /// The facts `decide` saw (ownership credited for an unfinished run).
    pub facts: ItemFacts,
    pub project_state: ProjectState,
    pub milestones: Arc<Vec<Milestone>>,
    pub decision: Decision,
    pub desired: DesiredState,
    pub snapshot: ItemSnapshot,
    pub previous: PreviousWrites,
    pub matches: Option<CachedMatches>,
    /// Issues: the database-change MRs that close it.
    pub closing_merge_requests: Vec<ItemNumber>,
    /// MRs: the issues its description closes.
    pub closes: Vec<ItemNumber>,
}

/// Work an evaluation implies for other things.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FollowUps {
    /// Milestones whose block must be re-rendered.
    pub milestones: Vec<MilestoneId>,
    /// Issues to re-evaluate (closed by this MR now or before).
    pub issues: Vec<ItemNumber>,
    /// This item changed which milestones are the project's batches (it
    /// started, moved or ended one): every other item's verdict may change.
    pub batches_changed: bool,
    /// Mails that may be due now: the warning the decision says is due, and
    /// digest updates of announced milestones this item joined or left.
    pub announcements: Vec<(MilestoneId, AnnouncementKind)>,
}

pub(super) struct Evaluated {
    pub writes: usize,
    pub follow_ups: FollowUps,
}

/// Inputs of `prepare` besides the subject and its record.
pub(super) struct Extra {
    pub matches: Option<CachedMatches>,
    pub reason: Option<DbChangeReason>,
    pub closing_merge_requests: Vec<ItemNumber>,
}

impl Engine {
    /// A digest of the project's policy settings, for fingerprints.
    pub(super) fn settings_digest(&self, project: &ProjectContext<'_>) -> String {
        let text = format!(
            "{:?}\n{:?}\n{}",
            project.config.policy(),
            project.config.issue_keywords,
            project.config.label_color
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// The rules digest an item's fingerprint carries (issues have no files).
    pub(super) fn fingerprint_rules(
        &self,
        project: &ProjectContext<'_>,
        kind: ItemKind,
    ) -> Step<String> {
        Ok(match kind {
            ItemKind::MergeRequest => self.project_rules(project)?.digest.clone(),
            ItemKind::Issue => String::new(),
        })
    }

    /// Runs `digest` (computing or checking a fingerprint) on `subject`
    /// carrying `labels` and `milestone`, with everything else it depends on.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn with_fingerprint_inputs<T>(
        &self,
        project: &ProjectContext<'_>,
        subject: &Subject,
        labels: &[String],
        milestone: Option<MilestoneId>,
        bot_milestone: Option<MilestoneId>,
        milestones: &[Milestone],
        project_state: &ProjectState,
        closing_merge_requests: &[ItemNumber],
        digest: impl FnOnce(&ItemView, &DecisionContext) -> T,
    ) -> Step<T> {
        let rules = self.fingerprint_rules(project, subject.kind)?;
        let settings = self.settings_digest(project);
        Ok(digest(
            &subject.view(labels, milestone, bot_milestone),
            &DecisionContext {
                milestones,
                project: project_state,
                closing_merge_requests,
                rules_digest: &rules,
                settings_digest: &settings,
                today: Utc::now().date_naive(),
            },
        ))
    }

    /// Reads and decides; writes nothing.
    pub(super) async fn prepare(
        &self,
        project: &ProjectContext<'_>,
        subject: Subject,
        record: ItemRecord,
        extra: Extra,
    ) -> Step<Prepared> {
        let project_state = self
            .store
            .project_state(project.kind, &project.config.path)
            .await?;
        self.prepare_with(project, subject, record, extra, project_state)
            .await
    }

    /// Decides with `project_state` given (`check` reads it from the
    /// forge's milestone blocks instead of the store).
    pub(super) async fn prepare_with(
        &self,
        project: &ProjectContext<'_>,
        subject: Subject,
        record: ItemRecord,
        extra: Extra,
        project_state: ProjectState,
    ) -> Step<Prepared> {
        let policy = project.config.policy();
        let key = project.item_key(subject.kind, subject.number);
        let mut ownership = record.ownership.clone();
        if let Some(pending) = &record.pending {
            credit_unfinished_writes(
                &mut ownership,
                pending,
                &policy.label,
                &subject.labels,
                subject.milestone,
            );
        }
        let milestones = self.milestones(project).await?;
        let facts = ItemFacts {
            kind: subject.kind,
            number: subject.number,
            title: subject.title.clone(),
            web_url: Some(subject.web_url.clone()),
            state: subject.state,
            draft: subject.draft,
            labels: subject.labels.clone(),
            milestone: subject.milestone,
            matches: extra
                .matches
                .as_ref()
                .map(|m| m.matches.clone())
                .unwrap_or_default(),
            db_change_reason: extra.reason,
            ownership,
            has_bot_comment: record.comment.is_some(),
        };
        let decision = decide(&facts, &project_state, &milestones, &policy, Utc::now());
        let target = subject.head_sha.as_ref().map(|sha| StatusTarget {
            head_sha: sha.clone(),
            web_url: subject.web_url.clone(),
        });
        let desired = desired_state(&decision, target.as_ref());
        let closes = match subject.kind {
            ItemKind::MergeRequest => crate::core::closing::closing_references_in(
                &subject.description,
                &project.config.path,
            ),
            ItemKind::Issue => Vec::new(),
        };
        Ok(Prepared {
            snapshot: ItemSnapshot {
                labels: subject.labels.clone(),
                milestone: subject.milestone,
            },
            previous: PreviousWrites {
                status: record.status.clone(),
                comment: record.comment.clone(),
            },
            subject,
            key,
            record,
            facts,
            project_state,
            milestones,
            decision,
            desired,
            matches: extra.matches,
            closing_merge_requests: extra.closing_merge_requests,
            closes,
        })
    }

    /// Applies the prepared writes and saves the record.
    pub(super) async fn commit(
        &self,
        project: &ProjectContext<'_>,
        prepared: Prepared,
    ) -> Step<Evaluated> {
        let update = item_delta(&prepared.snapshot, &prepared.desired);
        let reference = super::plan::item_reference(
            project.kind,
            prepared.subject.kind,
            prepared.subject.number,
        );
        if !update.add_labels.is_empty() {
            self.ensure_label(project).await?;
        }
        if let Some(verdict) = &prepared.decision.verdict {
            metrics::counter!(
                crate::metric_names::GATE_VERDICTS,
                "forge" => project.kind.name(),
                "verdict" => match verdict.state {
                    GateState::Success => "success",
                    GateState::Failure => "failure",
                }
            )
            .increment(1);
        }
        // Before the write, note it with the ownership from before it.
        let before = ItemRecord {
            ownership: prepared.facts.ownership.clone(),
            pending: pending_for(&update),
            ..prepared.record.clone()
        };
        if before.pending.is_some() {
            self.store.save_item(&prepared.key, &before).await?;
        }
        let applied = match apply_changes(
            project.forge.as_ref(),
            &project.path,
            prepared.subject.kind,
            prepared.subject.number,
            &prepared.snapshot,
            &prepared.previous,
            &prepared.desired,
        )
        .await
        {
            Ok(applied) => applied,
            Err(error) => {
                // The pending note stays even when the job is dropped (a
                // token refused the status after the labels landed): the next
                // evaluation credits what landed to the bot, instead of
                // mistaking the bot's label for a person's.
                return Err(self.forge_error(project, &error, &format!("writing to {reference}")));
            }
        };

        let db_change = recorded_db_change(&prepared.facts, &prepared.decision);
        let (labels_after, milestone_after) = after_update(&prepared.snapshot, &update);
        let is_db_change = prepared.decision.is_db_change;
        let evaluated = self.with_fingerprint_inputs(
            project,
            &prepared.subject,
            &labels_after,
            milestone_after,
            prepared.decision.ownership.bot_set_milestone,
            &prepared.milestones,
            &prepared.project_state,
            &prepared.closing_merge_requests,
            |item, context| fingerprint(item, context, is_db_change),
        )?;
        let record = ItemRecord {
            ownership: prepared.decision.ownership.clone(),
            comment: applied.comment.clone(),
            status: applied.status.clone(),
            closes: if db_change.is_some() {
                prepared.closes.clone()
            } else {
                Vec::new()
            },
            db_change,
            evaluated: Some(evaluated),
            matches: prepared.matches.clone(),
            pending: None,
        };

        // Issues this MR closes now or closed before follow when that list
        // changed (propagation, and its undo when the MR stops closing them
        // or stops being a database change).
        let mut issues: Vec<ItemNumber> = Vec::new();
        if record.closes != prepared.record.closes {
            issues.extend(record.closes.iter().chain(&prepared.record.closes));
            issues.sort();
            issues.dedup();
        }
        let milestones =
            milestones_affected_by(&prepared.facts, &prepared.project_state, &prepared.decision);
        let announcements = self.announcements_implied(project, &prepared, &milestones);
        let follow_ups = FollowUps {
            milestones,
            announcements,
            issues,
            batches_changed: batches_changed(
                project,
                &prepared.milestones,
                &prepared.project_state,
                &prepared.record.db_change,
                &record.db_change,
            ),
        };
        // The record and the work it implies commit together.
        let work = super::events::follow_up_work(project, &follow_ups);
        let encoded = EncodedWork::new(&work);
        let jobs = encoded.jobs();
        if record != prepared.record || !jobs.is_empty() {
            self.store
                .save_item_with_jobs(&prepared.key, &record, &jobs)
                .await?;
        }
        tracing::debug!(
            item = %reference,
            writes = applied.write_count(),
            db_change = prepared.decision.is_db_change,
            "evaluated"
        );
        Ok(Evaluated {
            writes: applied.write_count(),
            follow_ups,
        })
    }

    /// The mails an evaluation may have made due: the warning `decide` says
    /// is due, and an update for each announced milestone whose database
    /// changes this item altered. The announce job checks again before sending.
    fn announcements_implied(
        &self,
        project: &ProjectContext<'_>,
        prepared: &Prepared,
        affected: &[MilestoneId],
    ) -> Vec<(MilestoneId, AnnouncementKind)> {
        if project.config.announce.is_none() || self.mail.is_none() {
            return Vec::new();
        }
        let mut due: Vec<(MilestoneId, AnnouncementKind)> = prepared
            .decision
            .announcement_due
            .map(|m| (m, AnnouncementKind::Warning))
            .into_iter()
            .collect();
        if project.config.mail_policy().digest_interval.is_some() {
            due.extend(
                affected
                    .iter()
                    .filter(|m| prepared.project_state.warning_sent(**m).is_some())
                    .map(|m| (*m, AnnouncementKind::Update)),
            );
        }
        due
    }

    /// Creates the label once per project per process.
    async fn ensure_label(&self, project: &ProjectContext<'_>) -> Step<()> {
        let key = project.key();
        if self
            .labels_ensured
            .lock()
            .expect("label set")
            .contains(&key)
        {
            return Ok(());
        }
        project
            .forge
            .ensure_label(
                &project.path,
                &project.config.label,
                &project.config.label_color,
            )
            .await
            .map_err(|e| self.forge_error(project, &e, "creating the label"))?;
        self.labels_ensured.lock().expect("label set").insert(key);
        Ok(())
    }
}

/// The item's labels and milestone once `update` landed.
/// Whether replacing this item's recorded database change (`before` →
/// `after`) changes the project's batch milestones.
fn batches_changed(
    project: &ProjectContext<'_>,
    milestones: &[Milestone],
    state: &ProjectState,
    before: &Option<DbItemRef>,
    after: &Option<DbItemRef>,
) -> bool {
    if before == after {
        return false;
    }
    let policy = project.config.policy();
    let mut next = state.clone();
    let same_item = |c: &DbItemRef, r: &DbItemRef| c.kind == r.kind && c.number == r.number;
    if let Some(old) = before {
        next.db_changes.retain(|c| !same_item(c, old));
    }
    if let Some(new) = after {
        next.db_changes.retain(|c| !same_item(c, new));
        next.db_changes.push(new.clone());
    }
    batch_milestones(milestones, state, &policy) != batch_milestones(milestones, &next, &policy)
}

pub(super) fn after_update(
    snapshot: &ItemSnapshot,
    update: &ItemUpdate,
) -> (Vec<String>, Option<MilestoneId>) {
    let mut labels: Vec<String> = snapshot
        .labels
        .iter()
        .filter(|l| !update.remove_labels.contains(l))
        .cloned()
        .collect();
    labels.extend(update.add_labels.iter().cloned());
    let milestone = match update.milestone {
        Some(MilestoneUpdate::Set(id)) => Some(id),
        Some(MilestoneUpdate::Clear) => None,
        None => snapshot.milestone,
    };
    (labels, milestone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_milestone_after_an_update_are_what_the_forge_will_show() {
        let snapshot = ItemSnapshot {
            labels: vec!["backend".into(), "Database changes".into()],
            milestone: None,
        };
        let update = ItemUpdate {
            add_labels: vec!["x".into()],
            remove_labels: vec!["Database changes".into()],
            milestone: Some(MilestoneUpdate::Set(MilestoneId(3))),
        };
        let (labels, milestone) = after_update(&snapshot, &update);
        assert_eq!(labels, vec!["backend".to_string(), "x".to_string()]);
        assert_eq!(milestone, Some(MilestoneId(3)));
        assert_eq!(
            after_update(&snapshot, &ItemUpdate::default()),
            (snapshot.labels.clone(), None)
        );
    }
}
