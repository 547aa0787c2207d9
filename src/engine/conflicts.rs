//! The migration conflicts of one MR, read from the forge and the store:
//! its ordered migrations against its target branch as it is now (the
//! branch's migration directories listed once per head commit, cached),
//! and against every other open MR on that branch (from their records,
//! no read). An MR without ordered migrations costs nothing.

mod cache;

pub(crate) use cache::BranchTrees;

use crate::core::ids::{ItemKind, item_reference};
use crate::core::order::{
    Conflict, OrderedFile, branch_file_needs_text, branch_files, change_files, find_conflicts,
    listing_dirs, pairwise_conflicts, sets_of,
};
use crate::core::policy::{ItemState, MigrationConflict};
use crate::core::types::Match;
use crate::engine::access::forge_error;
use crate::engine::failure::Step;
use crate::engine::pipeline::detect::project_rules;
use crate::engine::project::ProjectContext;
use crate::forge::{CommitSha, ForgeError, MergeRequest, TreeEntry, TreeListing};
use futures_util::{StreamExt, TryStreamExt, stream};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Whose migrations the MR is compared with besides the target branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peers {
    /// Every other open MR on the same target branch, from the store.
    OpenMergeRequests,
    /// The target branch only (`check`, which has no store of other MRs).
    None,
}

/// The MR's collisions with its target branch and, when it has none, with
/// the other open MRs (one that collides with the branch is not held
/// against others either: it must be rebased first, and its later shape
/// is what counts). The branch is read at its head now (one read), its
/// listing cached per head.
pub(crate) async fn migration_conflicts(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    matches: &[Match],
    peers: Peers,
) -> Step<Vec<MigrationConflict>> {
    if mr.state != ItemState::Open {
        return Ok(Vec::new());
    }
    let (ours, _) = change_files(matches);
    if ours.is_empty() {
        return Ok(Vec::new());
    }
    let branch = &mr.target_branch;
    let doing = format!("reading the head of {branch}");
    let head = match project.forge.branch_head(project.path(), branch).await {
        Ok(head) => head,
        // A target branch that is gone holds nothing to collide with (and
        // the MR cannot merge into it).
        Err(ForgeError::NotFound(_)) => {
            tracing::debug!(branch, "target branch not found: no conflicts to look for");
            return Ok(Vec::new());
        }
        Err(e) => return Err(forge_error(project, &e, &doing)),
    };
    let listing = branch_listing(project, branch, &head, &listing_dirs(&ours), true).await?;
    let on_branch = branch_files_at(project, branch, &head, &listing, &sets_of(&ours)).await?;
    conflicts_over(project, mr, matches, &on_branch, peers).await
}

/// The collisions of `matches` with `on_branch` (the target branch's
/// ordered files) and, when there are none and `peers` asks, with the
/// other open MRs on that branch.
pub(crate) async fn conflicts_over(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    matches: &[Match],
    on_branch: &[OrderedFile],
    peers: Peers,
) -> Step<Vec<MigrationConflict>> {
    let (ours, our_removed) = change_files(matches);
    if ours.is_empty() || mr.state != ItemState::Open {
        return Ok(Vec::new());
    }
    let sets = sets_of(&ours);
    let rules = project_rules(project)?;
    let spec_of = |framework: &str| rules.rules.order_spec(framework);
    let with_branch = find_conflicts(on_branch, &our_removed, &ours, &spec_of);
    if !with_branch.is_empty() {
        let branch = format!("the target branch {}", mr.target_branch);
        return Ok(with_branch
            .into_iter()
            .map(|conflict| MigrationConflict {
                with: None,
                other: branch.clone(),
                conflict,
            })
            .collect());
    }
    if peers == Peers::None {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for peer in project
        .store()
        .item_views(project.kind, &project.config.path)
        .await?
    {
        if peer.kind != ItemKind::MergeRequest
            || peer.number == mr.number
            || peer.state != ItemState::Open
            || peer.target_branch.as_deref() != Some(mr.target_branch.as_str())
        {
            continue;
        }
        let (theirs, their_removed) = change_files(&peer.migrations);
        let theirs: Vec<OrderedFile> = theirs
            .into_iter()
            .filter(|f| sets.contains(&(f.framework.clone(), f.key.group.clone())))
            .collect();
        if theirs.is_empty()
            || !find_conflicts(on_branch, &their_removed, &theirs, &spec_of).is_empty()
        {
            continue;
        }
        let other = item_reference(project.kind, ItemKind::MergeRequest, peer.number);
        let between = pairwise_conflicts(
            on_branch,
            (&ours, &our_removed),
            (&theirs, &their_removed),
            &spec_of,
        );
        found.extend(
            between
                .into_iter()
                .map(|conflict: Conflict| MigrationConflict {
                    with: Some(peer.number),
                    other: other.clone(),
                    conflict,
                }),
        );
    }
    Ok(found)
}

/// The files under `dirs` at `at` (the branch's head, or its name where
/// no head was read): cached per head when `cache` (a head never changes;
/// a name does, so `check`, one process per run, reads it fresh). A
/// branch the forge does not have lists nothing.
pub(crate) async fn branch_listing(
    project: &ProjectContext<'_>,
    branch: &str,
    at: &CommitSha,
    dirs: &[String],
    cache: bool,
) -> Step<Arc<TreeListing>> {
    if dirs.is_empty() {
        return Ok(Arc::default());
    }
    let trees = &project.engine.branch_trees;
    if cache && let Some(listing) = trees.listing(&project.key(), at, dirs) {
        return Ok(listing);
    }
    let doing = format!("listing the migrations of {branch}");
    let listing = match project.forge.list_tree(project.path(), at, dirs).await {
        Ok(listing) => listing,
        Err(ForgeError::NotFound(_)) => TreeListing::default(),
        Err(e) => return Err(forge_error(project, &e, &doing)),
    };
    Ok(if cache {
        trees.keep_listing(&project.key(), at, dirs, listing)
    } else {
        Arc::new(listing)
    })
}

/// The branch's ordered files in `sets`, from its listing at `at` and the
/// texts of the files whose order is in their text (read once per blob).
pub(crate) async fn branch_files_at(
    project: &ProjectContext<'_>,
    branch: &str,
    at: &CommitSha,
    listing: &TreeListing,
    sets: &BTreeSet<(String, String)>,
) -> Step<Vec<OrderedFile>> {
    let rules = project_rules(project)?;
    let trees = &project.engine.branch_trees;
    let wanted: Vec<&TreeEntry> = listing
        .entries
        .iter()
        .filter(|e| {
            branch_file_needs_text(&rules.rules, &e.path, sets) && trees.blob(&e.blob).is_none()
        })
        .collect();
    let reads: Vec<_> = wanted
        .into_iter()
        .map(|entry| read_branch_text(project, branch, at, entry))
        .collect();
    stream::iter(reads)
        .buffer_unordered(TEXTS_AT_ONCE)
        .try_collect::<Vec<()>>()
        .await?;
    let texts: Vec<Option<String>> = listing
        .entries
        .iter()
        .map(|e| {
            branch_file_needs_text(&rules.rules, &e.path, sets)
                .then(|| trees.blob(&e.blob).flatten())
                .flatten()
        })
        .collect();
    Ok(branch_files(
        &rules.rules,
        listing
            .entries
            .iter()
            .zip(&texts)
            .map(|(entry, text)| (entry.path.as_str(), text.as_deref())),
        sets,
    ))
}

/// Reads one branch file's text and keeps it by its blob id.
async fn read_branch_text(
    project: &ProjectContext<'_>,
    branch: &str,
    at: &CommitSha,
    entry: &TreeEntry,
) -> Step<()> {
    let text = project
        .forge
        .file_text(project.path(), at, &entry.path)
        .await
        .map_err(|e| forge_error(project, &e, &format!("reading {} on {branch}", entry.path)))?;
    project.engine.branch_trees.keep_blob(&entry.blob, text);
    Ok(())
}

/// Branch texts read at once: one wave for an ordinary history.
const TEXTS_AT_ONCE: usize = 16;
