//! What an announcement mail says, gathered from the store and the
//! milestones: the batch's database changes with their migrations, what
//! joined or left since the last mail, the upgrade steps and, when the
//! project names an upgrade policy, the releases an admin must pass through.

use crate::config::ProjectConfig;
use crate::core::announcements::{AnnouncementKind, BatchDelta, LedgerEntry, batch_delta};
use crate::core::announcements::{current_items, item_key, upgrade_sentences};
use crate::core::compat::{MAX_OPERATIONS_SHOWN, Wording, breaking_operations};
use crate::core::ids::ItemNumber;
use crate::core::policy::{DbItemRef, ItemKind, ProjectState};
use crate::core::types::Milestone;
use crate::core::upgrade::UpgradePolicy;
use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use crate::engine::shipped::shipped_changes;
use crate::forge::ForgeKind;
use crate::mail::{ChangeInfo, MailContext, MigrationInfo, MilestoneInfo, ProjectInfo};

/// The template context for a `kind` mail about `milestone`.
pub(crate) async fn mail_context(
    project: &ProjectContext<'_>,
    milestone: &Milestone,
    milestones: &[Milestone],
    state: &ProjectState,
    ledger: &[LedgerEntry],
    kind: AnnouncementKind,
) -> Step<MailContext> {
    let listed = match kind {
        AnnouncementKind::ReleaseNotice => shipped_changes(project, state, milestone.id).await?,
        _ => state.db_changes_in(milestone.id).cloned().collect(),
    };
    let delta = match kind {
        AnnouncementKind::Update => {
            batch_delta(ledger, milestone.id, &current_items(state, milestone.id))
        }
        _ => BatchDelta::default(),
    };
    let facts = MailFacts {
        milestone: MilestoneInfo::new(
            &milestone.title,
            milestone.web_url.clone(),
            milestone.due_date.map(|d| d.to_string()),
            milestone.start_date.map(|d| d.to_string()),
        ),
        changes: batch_changes(project, &listed).await?,
        added: delta.added.into_iter().collect(),
        removed: delta.removed.into_iter().collect(),
        warning_sent_on: state
            .warning_sent(milestone.id)
            .map(|at| at.date_naive().to_string()),
    };
    // The engine reads the forge, not a checkout: it knows no squash
    // cuts, so `direct` gives its "straight to" sentence here.
    let upgrade_path = |policy| {
        upgrade_sentences(
            &project.config.scheme,
            milestone,
            milestones,
            ledger,
            policy,
            &[],
        )
    };
    Ok(context_from(project.config, kind, facts, upgrade_path))
}

/// What a mail says that the configuration does not: the milestone, its
/// database changes, and (updates) which of them joined or left.
pub(crate) struct MailFacts {
    pub milestone: MilestoneInfo,
    /// Every change the mail lists, as its forge says it.
    pub changes: Vec<ChangeInfo>,
    /// Ledger keys ([`change_key`]) of the changes that joined since the
    /// last mail; each is one of `changes`.
    pub added: Vec<String>,
    /// Ledger keys of the changes that left since the last mail.
    pub removed: Vec<String>,
    /// "YYYY-MM-DD" when the warning went out.
    pub warning_sent_on: Option<String>,
}

/// The template context of a `kind` mail: `facts`, and what `config` says
/// (the project, the list and its reply-to, the upgrade steps, whether an
/// upgrade path is given) with the downtime sentence. `upgrade_path` gives
/// the path's sentences under the configured policy. Pure: the server's
/// mails and `announce --preview --sample` are both put together here.
pub(crate) fn context_from(
    config: &ProjectConfig,
    kind: AnnouncementKind,
    facts: MailFacts,
    upgrade_path: impl FnOnce(UpgradePolicy) -> Vec<String>,
) -> MailContext {
    let announce = config.announce.as_ref();
    let changes = facts.changes;
    let by_key = |key: &String| changes.iter().find(|c| change_key(c) == *key).cloned();
    let added = facts.added.iter().filter_map(by_key).collect();
    let removed = facts
        .removed
        .iter()
        .map(|key| removed_change(config.forge, key))
        .collect();
    MailContext {
        project: project_info(config),
        downtime_reason: downtime_reason(&changes, &facts.milestone.title, kind),
        downtime_expected: !changes.is_empty(),
        milestone: facts.milestone,
        changes,
        added,
        removed,
        upgrade_steps: announce
            .map(|a| a.upgrade_steps.clone())
            .unwrap_or_default(),
        upgrade_path: announce
            .and_then(|a| a.upgrade_policy)
            .map(upgrade_path)
            .unwrap_or_default(),
        reply_to: announce.and_then(|a| a.reply_to.clone()),
        warning_sent_on: facts.warning_sent_on,
        to: config.announce_to().to_vec(),
    }
}

/// The `listed` database changes, each with the migrations its record
/// cached.
async fn batch_changes(
    project: &ProjectContext<'_>,
    listed: &[DbItemRef],
) -> Step<Vec<ChangeInfo>> {
    let mut changes = Vec::new();
    for change in listed {
        let record = project
            .store()
            .item(&project.item_key(change.kind, change.number))
            .await?;
        let migrations = record
            .and_then(|r| r.matches)
            .map(|cached| cached.matches.iter().map(migration_info).collect())
            .unwrap_or_default();
        changes.push(change_info(
            project.kind,
            change.kind,
            change.number,
            &change.title,
            change.web_url.clone(),
            migrations,
        ));
    }
    Ok(changes)
}

fn migration_info(found: &crate::core::types::Match) -> MigrationInfo {
    let info = MigrationInfo::new(&found.path, found.kind.as_str(), &found.framework);
    if !found.kind.is_db_change() {
        return info;
    }
    info.classed(
        found.compat.as_str(),
        breaking_operations(&found.operations, MAX_OPERATIONS_SHOWN, Wording::Plain),
    )
}

/// The project as the mails name it. Its page is left out: the forge's
/// milestones and changes carry their own pages.
fn project_info(config: &ProjectConfig) -> ProjectInfo {
    ProjectInfo {
        path: config.path.to_string(),
        forge: match config.forge {
            ForgeKind::GitLab => "GitLab",
            ForgeKind::GitHub => "GitHub",
        }
        .to_string(),
        web_url: None,
    }
}

/// "merge request"/"pull request"/"issue", "!12"/"#12", as the forge says it.
pub(crate) fn change_info(
    forge: ForgeKind,
    kind: ItemKind,
    number: ItemNumber,
    title: &str,
    web_url: Option<String>,
    migrations: Vec<MigrationInfo>,
) -> ChangeInfo {
    let (noun, reference) = match (forge, kind) {
        (ForgeKind::GitLab, ItemKind::MergeRequest) => ("merge request", format!("!{number}")),
        (ForgeKind::GitHub, ItemKind::MergeRequest) => ("pull request", format!("#{number}")),
        (_, ItemKind::Issue) => ("issue", format!("#{number}")),
    };
    ChangeInfo::new(noun, &reference, number.0, title, web_url, migrations)
}

/// The ledger's key of a change a mail names.
pub(crate) fn change_key(change: &ChangeInfo) -> String {
    let (kind, number) = change_item(change);
    item_key(kind, number)
}

/// Which item a change a mail names is.
pub(crate) fn change_item(change: &ChangeInfo) -> (ItemKind, ItemNumber) {
    let kind = if change.kind == "issue" {
        ItemKind::Issue
    } else {
        ItemKind::MergeRequest
    };
    (kind, ItemNumber(change.number))
}

/// A change that left the batch: only its reference is known.
fn removed_change(forge: ForgeKind, key: &str) -> ChangeInfo {
    let (kind, number) = key.split_once(':').unwrap_or(("merge_request", "0"));
    let kind = if kind == "issue" {
        ItemKind::Issue
    } else {
        ItemKind::MergeRequest
    };
    change_info(
        forge,
        kind,
        number.parse().unwrap_or_default(),
        "",
        None,
        Vec::new(),
    )
}

/// One sentence: why upgrading to `release` needs downtime, or why it no
/// longer does (a batch emptied; a release that shipped none of its
/// announced changes).
fn downtime_reason(changes: &[ChangeInfo], release: &str, kind: AnnouncementKind) -> String {
    let merge_requests = changes.iter().filter(|c| c.kind != "issue").count();
    let issues = changes.len() - merge_requests;
    let count = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    let what = match (merge_requests, issues) {
        (0, 0) if kind == AnnouncementKind::ReleaseNotice => {
            return format!(
                "none of the database changes announced for {release} shipped in it, so the downtime announced for it is not needed after all."
            );
        }
        (0, 0) => return format!("{release} no longer holds database changes."),
        (m, 0) => count(m, "change", "changes"),
        (0, i) => count(i, "planned change", "planned changes"),
        (m, i) => format!(
            "{} and {}",
            count(m, "change", "changes"),
            count(i, "planned change", "planned changes")
        ),
    };
    format!(
        "{release} brings {what} to the database schema; its migrations run while the service is stopped, so upgrading to {release} needs downtime."
    )
}
