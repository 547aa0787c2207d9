//! What a project's listing says needs doing: its open MRs and labelled
//! issues with whether their facts changed since the last evaluation (by
//! fingerprint), and the stored database changes it no longer shows. The
//! server's sync queues jobs from it (`handlers/project.rs`); `schemagate
//! sync` works through it inline (`tasks/sync.rs`).

use crate::core::ids::ItemNumber;
use crate::core::policy::ProjectState;
use crate::core::types::Milestone;
use crate::engine::access::forge_error;
use crate::engine::failure::Step;
use crate::engine::milestones::fresh_milestones;
use crate::engine::pipeline::decide::FingerprintInputs;
use crate::engine::pipeline::decide::with_fingerprint_inputs;
use crate::engine::pipeline::fingerprint::OBSERVED_PREFIX;
use crate::engine::pipeline::fingerprint::still_current;
use crate::engine::pipeline::subject::Subject;
use crate::engine::project::ProjectContext;
use crate::forge::{Issue, ItemKind, MergeRequest};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// A listed item and whether its facts changed since its last evaluation.
pub(crate) struct Listed<T> {
    pub item: T,
    pub changed: bool,
}

/// What a project's listing found.
pub(crate) struct ProjectScan {
    pub merge_requests: Vec<Listed<MergeRequest>>,
    pub issues: Vec<Listed<Issue>>,
    /// Database changes the store holds in open milestones that the
    /// listings did not show (closed or unlabelled since): evaluated too.
    pub stored_only: Vec<(ItemKind, ItemNumber)>,
    pub milestones: Arc<Vec<Milestone>>,
    pub state: ProjectState,
    /// The clock read once for the whole scan.
    pub now: DateTime<Utc>,
}

pub(crate) async fn scan_project(project: &ProjectContext<'_>) -> Step<ProjectScan> {
    let forge = project.forge.as_ref();
    let merge_requests = forge
        .open_merge_requests(project.path())
        .await
        .map_err(|e| forge_error(project, &e, "listing open merge requests"))?;
    let issues = forge
        .labelled_issues(project.path(), &project.config.label)
        .await
        .map_err(|e| forge_error(project, &e, "listing labelled issues"))?;
    let milestones = fresh_milestones(project).await?;
    let state = project.state().await?;

    let mut scan = ProjectScan {
        merge_requests: Vec::new(),
        issues: Vec::new(),
        stored_only: Vec::new(),
        now: project.engine.now(),
        milestones,
        state,
    };
    for mr in merge_requests {
        let changed = changed_since_last(project, &Subject::from(&mr), &scan).await?;
        scan.merge_requests.push(Listed { item: mr, changed });
    }
    for issue in issues {
        let changed = changed_since_last(project, &Subject::from(&issue), &scan).await?;
        scan.issues.push(Listed {
            item: issue,
            changed,
        });
    }
    let listed: HashSet<(ItemKind, ItemNumber)> = scan
        .merge_requests
        .iter()
        .map(|l| (ItemKind::MergeRequest, l.item.number))
        .chain(scan.issues.iter().map(|l| (ItemKind::Issue, l.item.number)))
        .collect();
    let open = |id| {
        scan.milestones
            .iter()
            .any(|m: &Milestone| m.id == id && m.is_open())
    };
    let mut stored: Vec<(ItemKind, ItemNumber)> = Vec::new();
    for change in scan.state.db_changes.iter().filter(|c| open(c.milestone)) {
        let key = (change.kind, change.number);
        if !listed.contains(&key) && !stored.contains(&key) {
            stored.push(key);
        }
    }
    scan.stored_only = stored;
    Ok(scan)
}

async fn changed_since_last(
    project: &ProjectContext<'_>,
    subject: &Subject,
    scan: &ProjectScan,
) -> Step<bool> {
    let key = project.item_key(subject.kind(), subject.number());
    let Some(record) = project.store().item(&key).await? else {
        return Ok(true);
    };
    if record.pending.is_some() {
        return Ok(true);
    }
    let closing = match subject.kind() {
        ItemKind::Issue => {
            project
                .store()
                .merge_requests_closing(project.kind, &project.config.path, subject.number())
                .await?
        }
        ItemKind::MergeRequest => Vec::new(),
    };
    let Some(stored) = record.evaluated.as_deref() else {
        return Ok(true);
    };
    // Recorded before the status page kept views: evaluate once to show it
    // (an open item always has one).
    if record.view.is_none() && subject.state() == crate::core::ids::ItemState::Open {
        return Ok(true);
    }
    // Observe mode's evaluations held writes back: a server that writes
    // makes them; one that observes compares the item as read.
    let stored = match (project.engine.observe, stored.strip_prefix(OBSERVED_PREFIX)) {
        (false, Some(_)) => return Ok(true),
        (true, Some(as_read)) => as_read,
        (_, None) => stored,
    };
    let inputs = FingerprintInputs {
        labels: subject.labels(),
        milestone: subject.milestone(),
        bot_milestone: record.ownership.bot_set_milestone,
        milestones: &scan.milestones,
        project_state: &scan.state,
        closing_merge_requests: &closing,
        now: scan.now,
    };
    let current = with_fingerprint_inputs(project, subject, &inputs, |item, context| {
        still_current(stored, item, context)
    })?;
    Ok(!current)
}
