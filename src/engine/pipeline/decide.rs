//! The one evaluation path shared by MRs and issues, reads only: facts →
//! `decide` → the writes it asks for (`prepare`, also used by dry runs and
//! `check`). `apply` and `record` (apply.rs, record.rs) then make the
//! writes and the record.

use crate::core::announcements::AnnouncementKind;
use crate::core::exceptions::{ANSWERS_SHOWN, Steering};
use crate::core::ids::ItemNumber;
use crate::core::policy::{
    DbChangeReason, Decision, ItemFacts, MigrationConflict, Ownership, Policy, ProjectState, decide,
};
use crate::core::types::{Match, Milestone, MilestoneId};
use crate::engine::failure::Step;
use crate::engine::milestones::milestones;
use crate::engine::pipeline::desired::{StatusTarget, desired_state};
use crate::engine::pipeline::detect::project_rules;
use crate::engine::pipeline::fingerprint::{DecisionContext, ItemView};
use crate::engine::pipeline::pending::credit_unfinished_writes;
use crate::engine::pipeline::subject::Subject;
use crate::engine::project::ProjectContext;
use crate::forge::ItemKind;
use crate::forge::apply::{DesiredState, PreviousWrites};
use crate::store::{CachedMatches, ItemKey, ItemRecord};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Everything an evaluation read and decided, before any write.
pub(crate) struct Prepared {
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
    pub previous: PreviousWrites,
    pub matches: Option<CachedMatches>,
    /// Issues: the database-change MRs that close it.
    pub closing_merge_requests: Vec<ItemNumber>,
    /// MRs: the issues its description closes.
    pub closes: Vec<ItemNumber>,
    /// The one clock reading the decision and its fingerprint share.
    pub now: DateTime<Utc>,
    /// The project's policy the decision applied.
    pub policy: Policy,
    /// A merged MR: the open MRs to evaluate again for conflicts.
    pub peers_to_tell: Vec<ItemNumber>,
}

/// Work an evaluation implies for other things.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FollowUps {
    /// Milestones whose block must be re-rendered.
    pub milestones: Vec<MilestoneId>,
    /// Issues to re-evaluate (closed by this MR now or before).
    pub issues: Vec<ItemNumber>,
    /// MRs to re-evaluate: whose migrations collide with this one's.
    pub merge_requests: Vec<ItemNumber>,
    /// This item changed which milestones are the project's batches (it
    /// started, moved or ended one): every other item's verdict may change.
    pub batches_changed: bool,
    /// Mails that may be due now: the warning the decision says is due, and
    /// digest updates of announced milestones this item joined or left.
    pub announcements: Vec<(MilestoneId, AnnouncementKind)>,
}

pub(crate) struct Evaluated {
    pub writes: usize,
    pub follow_ups: FollowUps,
}

/// Inputs of `prepare` besides the subject and its record.
pub(crate) struct Extra {
    pub matches: Option<CachedMatches>,
    pub reason: Option<DbChangeReason>,
    pub closing_merge_requests: Vec<ItemNumber>,
    /// The item's exceptions and command answers; `None` reads the store's.
    pub steering: Option<Steering>,
    /// MRs: collisions of its migrations with the target branch and other open MRs.
    pub conflicts: Vec<MigrationConflict>,
    /// A merged MR: the open MRs whose migrations share a set with its own.
    pub peers_to_tell: Vec<ItemNumber>,
}

/// What a fingerprint digests besides the subject: the item's labels and
/// milestone (before or after the writes) and the project around it.
pub(crate) struct FingerprintInputs<'a> {
    pub labels: &'a [String],
    pub milestone: Option<MilestoneId>,
    pub bot_milestone: Option<MilestoneId>,
    pub milestones: &'a [Milestone],
    pub project_state: &'a ProjectState,
    pub closing_merge_requests: &'a [ItemNumber],
    pub now: DateTime<Utc>,
}

/// A digest of the project's policy settings, for fingerprints.
pub(crate) fn settings_digest(project: &ProjectContext<'_>) -> String {
    let text = format!(
        "{:?}\n{:?}\n{}",
        project.config.policy(),
        project.config.issue_keywords,
        project.config.label_color
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The rules digest an item's fingerprint carries (issues have no files).
pub(crate) fn fingerprint_rules(project: &ProjectContext<'_>, kind: ItemKind) -> Step<String> {
    Ok(match kind {
        ItemKind::MergeRequest => project_rules(project)?.digest.clone(),
        ItemKind::Issue => String::new(),
    })
}

/// Runs `digest` (computing or checking a fingerprint) on `subject`
/// with everything else it depends on.
pub(crate) fn with_fingerprint_inputs<T>(
    project: &ProjectContext<'_>,
    subject: &Subject,
    inputs: &FingerprintInputs<'_>,
    digest: impl FnOnce(&ItemView, &DecisionContext) -> T,
) -> Step<T> {
    let rules = fingerprint_rules(project, subject.kind())?;
    let settings = settings_digest(project);
    Ok(digest(
        &subject.view(inputs.labels, inputs.milestone, inputs.bot_milestone),
        &DecisionContext {
            milestones: inputs.milestones,
            project: inputs.project_state,
            closing_merge_requests: inputs.closing_merge_requests,
            rules_digest: &rules,
            settings_digest: &settings,
            today: inputs.now.date_naive(),
        },
    ))
}

/// Reads and decides; writes nothing.
pub(crate) async fn prepare(
    project: &ProjectContext<'_>,
    subject: Subject,
    record: ItemRecord,
    extra: Extra,
) -> Step<Prepared> {
    let project_state = project.state().await?;
    let mut extra = extra;
    if extra.steering.is_none() {
        let key = project.item_key(subject.kind(), subject.number());
        extra.steering = Some(project.store().steering(&key, ANSWERS_SHOWN).await?);
    }
    prepare_with(project, subject, record, extra, project_state).await
}

/// Decides with `project_state` given (`check` reads it from the
/// forge's milestone blocks instead of the store).
pub(crate) async fn prepare_with(
    project: &ProjectContext<'_>,
    subject: Subject,
    record: ItemRecord,
    extra: Extra,
    project_state: ProjectState,
) -> Step<Prepared> {
    let policy = project.config.policy();
    let milestones = milestones(project).await?;
    let ownership = credited_ownership(&record, &policy.label, &subject);
    let facts = item_facts(&subject, &record, ownership, &extra);
    let now = project.engine.now();
    let decision = decide(&facts, &project_state, &milestones, &policy, now);
    let target = subject.head_sha().map(|sha| StatusTarget {
        head_sha: sha.clone(),
        web_url: subject.web_url().to_string(),
    });
    let desired = desired_state(&decision, target.as_ref());
    let closes = match subject.kind() {
        ItemKind::MergeRequest => {
            crate::core::closing::closing_references_in(subject.description(), &project.config.path)
        }
        ItemKind::Issue => Vec::new(),
    };
    Ok(Prepared {
        previous: PreviousWrites {
            status: record.status.clone(),
            comment: record.comment.clone(),
        },
        key: project.item_key(subject.kind(), subject.number()),
        subject,
        record,
        facts,
        project_state,
        milestones,
        decision,
        desired,
        matches: extra.matches,
        closing_merge_requests: extra.closing_merge_requests,
        closes,
        now,
        policy,
        peers_to_tell: extra.peers_to_tell,
    })
}

/// The stored ownership, with whatever an unfinished earlier run wrote
/// credited to the bot (see pending.rs).
fn credited_ownership(record: &ItemRecord, label: &str, subject: &Subject) -> Ownership {
    let mut ownership = record.ownership.clone();
    if let Some(pending) = &record.pending {
        credit_unfinished_writes(
            &mut ownership,
            pending,
            label,
            subject.labels(),
            subject.milestone(),
        );
    }
    ownership
}

fn item_facts(
    subject: &Subject,
    record: &ItemRecord,
    ownership: Ownership,
    extra: &Extra,
) -> ItemFacts {
    let matches: Option<Vec<Match>> = extra.matches.as_ref().map(|m| m.matches.clone());
    let migration_files = extra
        .matches
        .as_ref()
        .map(|m| m.migration_files.clone())
        .unwrap_or_default();
    ItemFacts {
        kind: subject.kind(),
        number: subject.number(),
        title: subject.title().to_string(),
        web_url: Some(subject.web_url().to_string()),
        state: subject.state(),
        draft: subject.draft(),
        labels: subject.labels().to_vec(),
        milestone: subject.milestone(),
        matches: matches.unwrap_or_default(),
        db_change_reason: extra.reason.clone(),
        ownership,
        has_bot_comment: record.comment.is_some(),
        migration_files,
        steering: extra.steering.clone().unwrap_or_default(),
        conflicts: extra.conflicts.clone(),
    }
}
