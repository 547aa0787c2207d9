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
use crate::forge::{CommitSha, ForgeError, MergeRequest};
use std::collections::BTreeSet;

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
/// is what counts).
pub(crate) async fn migration_conflicts(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    matches: &[Match],
    peers: Peers,
) -> Step<Vec<MigrationConflict>> {
    if mr.state != ItemState::Open {
        return Ok(Vec::new());
    }
    let (ours, our_removed) = change_files(matches);
    if ours.is_empty() {
        return Ok(Vec::new());
    }
    let sets = sets_of(&ours);
    let on_branch = branch_order(project, &mr.target_branch, &ours, &sets).await?;
    let rules = project_rules(project)?;
    let spec_of = |framework: &str| rules.rules.order_spec(framework);
    let with_branch = find_conflicts(&on_branch, &our_removed, &ours, &spec_of);
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
            || !find_conflicts(&on_branch, &their_removed, &theirs, &spec_of).is_empty()
        {
            continue;
        }
        let other = item_reference(project.kind, ItemKind::MergeRequest, peer.number);
        let between = pairwise_conflicts(
            &on_branch,
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

/// The target branch's ordered files in `sets`: its head (one read), the
/// listing of the directories `ours` add to (cached per head), and the
/// texts of the files whose order is in their text (cached per blob).
async fn branch_order(
    project: &ProjectContext<'_>,
    branch: &str,
    ours: &[OrderedFile],
    sets: &BTreeSet<(String, String)>,
) -> Step<Vec<OrderedFile>> {
    let forge = project.forge.as_ref();
    let doing = format!("reading the head of {branch}");
    let head: CommitSha = match forge.branch_head(project.path(), branch).await {
        Ok(head) => head,
        // A target branch that is gone holds nothing to collide with (and
        // the MR cannot merge into it).
        Err(ForgeError::NotFound(_)) => {
            tracing::debug!(branch, "target branch not found: no conflicts to look for");
            return Ok(Vec::new());
        }
        Err(e) => return Err(forge_error(project, &e, &doing)),
    };
    let dirs = listing_dirs(ours);
    let trees = &project.engine.branch_trees;
    let listing = match trees.listing(&project.key(), &head, &dirs) {
        Some(listing) => listing,
        None => {
            let doing = format!("listing the migrations of {branch}");
            let listing = forge
                .list_tree(project.path(), &head, &dirs)
                .await
                .map_err(|e| forge_error(project, &e, &doing))?;
            trees.keep_listing(&project.key(), &head, &dirs, listing)
        }
    };
    let rules = project_rules(project)?;
    let mut texts: Vec<Option<String>> = Vec::with_capacity(listing.entries.len());
    for entry in &listing.entries {
        if !branch_file_needs_text(&rules.rules, &entry.path, sets) {
            texts.push(None);
            continue;
        }
        if let Some(text) = trees.blob(&entry.blob) {
            texts.push(text);
            continue;
        }
        let doing = format!("reading {} on {branch}", entry.path);
        let text = forge
            .file_text(project.path(), &head, &entry.path)
            .await
            .map_err(|e| forge_error(project, &e, &doing))?;
        trees.keep_blob(&entry.blob, text.clone());
        texts.push(text);
    }
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
