//! Record: once the writes landed, the item's final record (ownership,
//! comment, status, database-change entry and fingerprint) and the
//! follow-up work the decision implies, saved in one transaction.

use crate::core::announcements::AnnouncementKind;
use crate::core::exceptions::{EndKind, Ending};
use crate::core::ids::ItemNumber;
use crate::core::policy::Ownership;
use crate::core::policy::{GateState, batches_changed, milestones_affected_by, recorded_db_change};
use crate::core::status::ItemSeen;
use crate::core::types::MilestoneId;
use crate::engine::failure::Step;
use crate::engine::pipeline::decide::with_fingerprint_inputs;
use crate::engine::pipeline::decide::{FingerprintInputs, FollowUps, Prepared};
use crate::engine::pipeline::fingerprint::{OBSERVED_PREFIX, fingerprint};
use crate::engine::project::ProjectContext;
use crate::engine::queue::EncodedWork;
use crate::forge::apply::{AppliedWrites, PostedComment};
use crate::forge::{CommitSha, CommitStatus};
use crate::store::ItemRecord;

/// Saves the item's final record with the follow-up work it implies,
/// which it returns.
pub(crate) async fn record(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    applied: &AppliedWrites,
) -> Step<FollowUps> {
    let record = final_record(project, prepared, applied)?;
    finish(project, prepared, &record).await
}

/// Observe mode's record: what the forge really has (no write was made,
/// so the bot still owes them all), the database-change entry where the
/// decision puts the item (so other items are decided against the batches
/// as they would be), and a fingerprint of the item as read, marked
/// observed: a sync in observe mode skips it while nothing changes, and a
/// server that writes evaluates it again.
pub(crate) async fn record_observed(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
) -> Step<FollowUps> {
    let facts = &prepared.facts;
    let as_read = ItemState {
        labels: &facts.labels,
        milestone: facts.milestone,
        bot_milestone: facts.ownership.bot_set_milestone,
    };
    let evaluated = fingerprint_in(project, prepared, &as_read)?;
    let record = record_with(
        prepared,
        facts.ownership.clone(),
        (&prepared.record.comment, &prepared.record.status),
        format!("{OBSERVED_PREFIX}{evaluated}"),
    );
    finish(project, prepared, &record).await
}

/// The labels and milestones an item's fingerprint is taken with.
struct ItemState<'a> {
    labels: &'a [String],
    milestone: Option<MilestoneId>,
    bot_milestone: Option<MilestoneId>,
}

/// The fingerprint of the prepared item in `state`.
fn fingerprint_in(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    state: &ItemState<'_>,
) -> Step<String> {
    let inputs = FingerprintInputs {
        labels: state.labels,
        milestone: state.milestone,
        bot_milestone: state.bot_milestone,
        milestones: &prepared.milestones,
        project_state: &prepared.project_state,
        closing_merge_requests: &prepared.closing_merge_requests,
        now: prepared.now,
    };
    let is_db_change = prepared.decision.is_db_change;
    with_fingerprint_inputs(project, &prepared.subject, &inputs, |item, context| {
        fingerprint(item, context, is_db_change)
    })
}

/// The item's record with the ownership, the comment and status the
/// forge has, and the fingerprint `evaluated`.
fn record_with(
    prepared: &Prepared,
    ownership: Ownership,
    (comment, status): (&Option<PostedComment>, &Option<(CommitSha, CommitStatus)>),
    evaluated: String,
) -> ItemRecord {
    let db_change = recorded_db_change(&prepared.facts, &prepared.decision);
    ItemRecord {
        ownership,
        comment: comment.clone(),
        status: status.clone(),
        closes: match db_change {
            Some(_) => prepared.closes.clone(),
            None => Vec::new(),
        },
        db_change,
        evaluated: Some(evaluated),
        matches: prepared.matches.clone(),
        pending: None,
        view: item_seen(prepared),
        conflicts_with: conflict_partners(&prepared.facts),
    }
}

/// The open MRs this one's migrations collide with, each once.
fn conflict_partners(facts: &crate::core::policy::ItemFacts) -> Vec<ItemNumber> {
    let mut partners: Vec<ItemNumber> = facts.conflicts.iter().filter_map(|c| c.with).collect();
    partners.sort();
    partners.dedup();
    partners
}

/// The MRs to evaluate again because of this one: its conflict partners
/// before and now, when they changed (each is told of the other), or when
/// this one merged or closed (a merged one's migrations are the branch's
/// now, so its partners fail until rebased, and every open MR adding to
/// the same sets is checked against the moved branch: `peers_to_tell`).
fn partners_to_tell(prepared: &Prepared, record: &ItemRecord) -> Vec<ItemNumber> {
    let before = &prepared.record.conflicts_with;
    if prepared.facts.is_open() && &record.conflicts_with == before {
        return Vec::new();
    }
    let mut told: Vec<ItemNumber> = before
        .iter()
        .chain(&record.conflicts_with)
        .copied()
        .collect();
    told.sort();
    told.dedup();
    told
}

/// Ends a lapsed exception and saves the record with its follow-up work.
async fn finish(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    record: &ItemRecord,
) -> Step<FollowUps> {
    let follow_ups = follow_ups(project, prepared, record);
    if let Some(why) = &prepared.decision.lapsed {
        // The comment just written says it lapsed; the record ends it, so
        // restoring the files later does not revive it.
        let ending = Ending {
            at: prepared.now,
            how: EndKind::Lapsed { why: why.clone() },
        };
        project
            .store()
            .end_exception(&prepared.key, &ending)
            .await?;
    }
    save(prepared, record, &follow_ups, project).await?;
    Ok(follow_ups)
}

/// The record once the writes landed, fingerprinted from the state the
/// item now has, so a sync right after finds nothing to do.
fn final_record(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    applied: &AppliedWrites,
) -> Step<ItemRecord> {
    let decision = &prepared.decision;
    let labels = decision.labels_after(&prepared.facts);
    let after = ItemState {
        labels: &labels,
        milestone: decision.milestone_after(&prepared.facts),
        bot_milestone: decision.ownership.bot_set_milestone,
    };
    let evaluated = fingerprint_in(project, prepared, &after)?;
    Ok(record_with(
        prepared,
        decision.ownership.clone(),
        (&applied.comment, &applied.status),
        evaluated,
    ))
}

/// The item as the status page shows it once the decision is applied:
/// open items (blocked or not) and database changes (listed in their
/// release); a closed item that is neither is not shown, so its view goes.
pub(crate) fn item_seen(prepared: &Prepared) -> Option<ItemSeen> {
    let facts = &prepared.facts;
    if !facts.is_open() && !prepared.decision.is_db_change {
        return None;
    }
    Some(ItemSeen {
        kind: facts.kind,
        number: facts.number,
        title: facts.title.clone(),
        web_url: facts.web_url.clone(),
        state: facts.state,
        draft: facts.draft,
        milestone: prepared.decision.milestone_after(facts),
        verdict: prepared.decision.verdict.clone(),
        migrations: facts.matches.clone(),
        target_branch: prepared.subject.target_branch().map(str::to_string),
    })
}

fn follow_ups(project: &ProjectContext<'_>, prepared: &Prepared, record: &ItemRecord) -> FollowUps {
    // Issues this MR closes now or closed before follow when that list
    // changed (propagation, and its undo when the MR stops closing them
    // or stops being a database change).
    let mut issues: Vec<ItemNumber> = Vec::new();
    if record.closes != prepared.record.closes {
        issues.extend(record.closes.iter().chain(&prepared.record.closes));
        issues.sort();
        issues.dedup();
    }
    let (facts, state) = (&prepared.facts, &prepared.project_state);
    let milestones = milestones_affected_by(facts, state, &prepared.decision);
    FollowUps {
        announcements: announcements_implied(project, prepared, &milestones),
        milestones,
        issues,
        merge_requests: partners_to_tell(prepared, record),
        batches_changed: batches_changed(
            facts,
            state,
            &prepared.milestones,
            &prepared.policy,
            &prepared.decision,
        ),
    }
}

/// The record and the work it implies commit together.
async fn save(
    prepared: &Prepared,
    record: &ItemRecord,
    follow_ups: &FollowUps,
    project: &ProjectContext<'_>,
) -> Step<()> {
    let work = crate::engine::queue::follow_up_work(project, follow_ups);
    let encoded = EncodedWork::new(&work);
    let jobs = encoded.jobs();
    if *record != prepared.record || !jobs.is_empty() {
        project
            .store()
            .save_item_with_jobs(&prepared.key, record, &jobs)
            .await?;
    }
    Ok(())
}

/// The mails an evaluation may have made due: the warning `decide` says
/// is due, and an update for each announced milestone whose database
/// changes this item altered. The announce job checks again before sending.
fn announcements_implied(
    project: &ProjectContext<'_>,
    prepared: &Prepared,
    affected: &[MilestoneId],
) -> Vec<(MilestoneId, AnnouncementKind)> {
    if project.config.announce.is_none() || project.engine.mail.is_none() {
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

pub(crate) fn count_verdict(project: &ProjectContext<'_>, prepared: &Prepared) {
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
}
