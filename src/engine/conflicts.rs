//! The migration conflicts of one MR, read from the forge and the store:
//! its ordered migrations against its target branch as it is now (the
//! branch's migration directories listed once per head commit, cached),
//! and against every other open MR on that branch (from their records,
//! no read). An MR without ordered migrations costs nothing.

mod cache;

pub(crate) use cache::BranchTrees;

use crate::core::ids::{ItemKind, ItemNumber, item_reference};
use crate::core::order::{
    Conflict, OrderedFile, branch_file_needs_text, branch_files, change_files, find_conflicts,
    in_sets, listing_dirs, pairwise_conflicts, sets_of,
};
use crate::core::policy::{ItemState, MigrationConflict};
use crate::core::types::Match;
use crate::engine::access::forge_error;
use crate::engine::failure::Step;
use crate::engine::pipeline::detect::project_rules;
use crate::engine::project::ProjectContext;
use crate::forge::{CommitSha, ForgeError, MergeRequest, TreeEntry, TreeListing};
use futures_util::{StreamExt, TryStreamExt, stream};
use std::collections::{BTreeSet, HashMap};
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
    let Some(on_branch) = branch_now(project, &mr.target_branch, &ours).await else {
        return Ok(Vec::new());
    };
    conflicts_over(project, mr, matches, &on_branch, peers).await
}

/// For a merged MR: the open MRs on the same target branch whose
/// migrations share a set with its own. Its migrations are the branch's
/// now, so each may collide with the branch (a version that is now below
/// the branch's highest, say) without ever having collided with it as an
/// open MR; each is evaluated again.
pub(crate) async fn peers_to_tell(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    matches: &[Match],
) -> Step<Vec<ItemNumber>> {
    let (ours, _) = change_files(matches);
    if mr.state != ItemState::Merged || ours.is_empty() {
        return Ok(Vec::new());
    }
    let peers = open_peers(project, mr, &sets_of(&ours)).await?;
    Ok(peers.into_iter().map(|peer| peer.number).collect())
}

/// The other open MRs on `mr`'s target branch, each with its ordered
/// migrations in `sets` (and the paths it deletes); those adding nothing
/// to them are left out. Read from the store's item views: no forge read.
async fn open_peers(
    project: &ProjectContext<'_>,
    mr: &MergeRequest,
    sets: &BTreeSet<(String, String)>,
) -> Step<Vec<Peer>> {
    let views = project
        .store()
        .item_views(project.kind, &project.config.path)
        .await?;
    Ok(views
        .into_iter()
        .filter(|view| {
            view.kind == ItemKind::MergeRequest
                && view.number != mr.number
                && view.state == ItemState::Open
                && view.target_branch.as_deref() == Some(mr.target_branch.as_str())
        })
        .filter_map(|view| {
            let (added, removed) = change_files(&view.migrations);
            let added: Vec<OrderedFile> = added.into_iter().filter(|f| in_sets(f, sets)).collect();
            (!added.is_empty()).then_some(Peer {
                number: view.number,
                added,
                removed,
            })
        })
        .collect())
}

/// Another open MR's migrations in the sets this one adds to.
struct Peer {
    number: ItemNumber,
    added: Vec<OrderedFile>,
    removed: Vec<String>,
}

/// The target branch's ordered files in the sets `ours` add to, at its
/// head now; `None` when they cannot be known: the branch is gone (the MR
/// cannot merge into it), the forge cut the listing short, or a read
/// failed. The check is then skipped, said in the log: it only ever adds
/// a reason to fail, and the labels, milestone and status do not wait on it.
async fn branch_now(
    project: &ProjectContext<'_>,
    branch: &str,
    ours: &[OrderedFile],
) -> Option<Vec<OrderedFile>> {
    let read = async {
        let head = match project.forge.branch_head(project.path(), branch).await {
            Ok(head) => head,
            Err(ForgeError::NotFound(_)) => return Ok(None),
            Err(e) => {
                return Err(forge_error(
                    project,
                    &e,
                    &format!("reading the head of {branch}"),
                ));
            }
        };
        let listing = branch_listing(project, branch, &head, &listing_dirs(ours), true).await?;
        if listing.truncated {
            tracing::warn!(
                branch,
                "the forge cut the branch's listing short: conflicts not checked"
            );
            return Ok(None);
        }
        branch_files_at(project, branch, &head, &listing, &sets_of(ours)).await
    };
    match read.await {
        Ok(found) => found,
        Err(failure) => {
            tracing::warn!(branch, error = %failure, "could not read the target branch: conflicts not checked");
            None
        }
    }
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
    for peer in open_peers(project, mr, &sets).await? {
        // One that collides with the branch must be rebased first: its
        // later shape is what counts.
        if !find_conflicts(on_branch, &peer.removed, &peer.added, &spec_of).is_empty() {
            continue;
        }
        let other = item_reference(project.kind, ItemKind::MergeRequest, peer.number);
        let between = pairwise_conflicts(
            on_branch,
            (&ours, &our_removed),
            (&peer.added, &peer.removed),
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
/// texts of the files whose order is in their text (read once per blob);
/// `None` while more texts are needed than one evaluation reads.
pub(crate) async fn branch_files_at(
    project: &ProjectContext<'_>,
    branch: &str,
    at: &CommitSha,
    listing: &TreeListing,
    sets: &BTreeSet<(String, String)>,
) -> Step<Option<Vec<OrderedFile>>> {
    let rules = project_rules(project)?;
    let trees = &project.engine.branch_trees;
    let needing: Vec<&TreeEntry> = listing
        .entries
        .iter()
        .filter(|e| branch_file_needs_text(&rules.rules, &e.path, sets))
        .collect();
    // What this evaluation reads stays here, whatever the shared cache
    // drops meanwhile.
    let mut texts: HashMap<&str, Option<String>> = HashMap::new();
    let mut wanted = Vec::new();
    for entry in needing {
        match trees.blob(&entry.blob) {
            Some(text) => {
                texts.insert(&entry.blob, text);
            }
            None => wanted.push(entry),
        }
    }
    let unread = wanted.len().saturating_sub(TEXTS_AT_MOST);
    let reads: Vec<_> = wanted
        .into_iter()
        .take(TEXTS_AT_MOST)
        .map(|entry| read_branch_text(project, branch, at, entry))
        .collect();
    let read: Vec<(&str, Option<String>)> = stream::iter(reads)
        .buffer_unordered(TEXTS_AT_ONCE)
        .try_collect()
        .await?;
    texts.extend(read);
    if unread > 0 {
        tracing::warn!(
            branch,
            unread,
            "more branch files than one evaluation reads: conflicts checked once they are all read"
        );
        return Ok(None);
    }
    Ok(Some(branch_files(
        &rules.rules,
        listing.entries.iter().map(|entry| {
            let text = texts.get(entry.blob.as_str()).and_then(|t| t.as_deref());
            (entry.path.as_str(), text)
        }),
        sets,
    )))
}

/// Reads one branch file's text and keeps it by its blob id.
async fn read_branch_text<'e>(
    project: &ProjectContext<'_>,
    branch: &str,
    at: &CommitSha,
    entry: &'e TreeEntry,
) -> Step<(&'e str, Option<String>)> {
    let text = project
        .forge
        .file_text(project.path(), at, &entry.path)
        .await
        .map_err(|e| forge_error(project, &e, &format!("reading {} on {branch}", entry.path)))?;
    project
        .engine
        .branch_trees
        .keep_blob(&entry.blob, text.clone());
    Ok((entry.blob.as_str(), text))
}

/// Branch texts read for one evaluation at most: a history longer than
/// this is read on later evaluations as the cache fills, never in one go.
const TEXTS_AT_MOST: usize = 400;

/// Branch texts read at once: one wave for an ordinary history.
const TEXTS_AT_ONCE: usize = 16;
