//! The squash cuts of a release history: releases that delete Django
//! migrations which a squashed migration (`replaces = [...]`) replaces, and
//! which releases still carry all of them (see `core::squash`).
//!
//! Only pairs that delete migrations are looked at, with two batched calls
//! for all of them (`git grep` for the squashed migrations beside the
//! deleted ones, `cat-file --batch` for their text) and one `cat-file
//! --batch-check` for which releases carry the deleted files.

use super::{PairScan, ReleaseHistory};
use crate::core::squash::{SquashCut, replaced_among};
use crate::core::types::ChangeKind;
use crate::git::objects;
use crate::git::repo::GitRepo;
use crate::git::search::files_matching;
use anyhow::Result;
use std::collections::{BTreeSet, HashMap};

/// A line that starts a Django `replaces` list, as a POSIX extended regex.
const REPLACES_LINE: &str = "^[[:space:]]*replaces[[:space:]]*=";

/// Every squash cut in `scans`, in release order.
pub fn squash_cuts(
    repo: &GitRepo,
    history: &ReleaseHistory,
    scans: &[PairScan],
) -> Result<Vec<SquashCut>> {
    // The Python files each pair removes. A file the squashed migration
    // resembles may come out of rename detection as renamed into it (when
    // both change in one release, as LAVA's 2026.04 did), so a rename's old
    // path counts as removed too. Which of them are migrations the squash
    // replaces is decided by its `replaces` list below.
    let deleting: Vec<(&PairScan, Vec<&str>)> = scans
        .iter()
        .map(|scan| (scan, removed_python_files(scan)))
        .filter(|(_, deleted)| !deleted.is_empty())
        .collect();
    if deleting.is_empty() {
        return Ok(Vec::new());
    }

    // The squashed migrations beside the deleted ones, in each deleting release.
    let revs: Vec<&str> = deleting
        .iter()
        .map(|(scan, _)| history.commits[scan.to].as_str())
        .collect();
    let mut dirs: Vec<&str> = deleting
        .iter()
        .flat_map(|(_, deleted)| deleted.iter().map(|p| parent_dir(p)))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let squashes = files_matching(repo, &revs, &dirs, REPLACES_LINE)?;
    let requests: Vec<String> = squashes
        .iter()
        .map(|(rev, path)| format!("{rev}:{path}"))
        .collect();
    let texts: HashMap<(&str, &str), String> = squashes
        .iter()
        .zip(objects::texts(repo, &requests)?)
        .filter_map(|((rev, path), text)| Some(((rev.as_str(), path.as_str()), text?)))
        .collect();

    let mut cuts = Vec::new();
    for (scan, deleted) in &deleting {
        let rev = history.commits[scan.to].as_str();
        let mut replaced: BTreeSet<String> = BTreeSet::new();
        let mut squashed: BTreeSet<String> = BTreeSet::new();
        for ((at, path), text) in &texts {
            if *at != rev {
                continue;
            }
            let found = replaced_among(path, text, deleted);
            if !found.is_empty() {
                squashed.insert(path.to_string());
                replaced.extend(found);
            }
        }
        if !replaced.is_empty() {
            cuts.push(SquashCut {
                release: history.versions[scan.to].clone(),
                last_carrier: history.versions[scan.from].clone(),
                deleted: replaced.into_iter().collect(),
                squashed: squashed.into_iter().collect(),
                complete: BTreeSet::new(),
            });
        }
    }
    mark_complete(repo, history, &mut cuts)?;
    Ok(cuts)
}

/// Fills each cut's `complete`: the releases of its series whose tree holds
/// every migration it deletes.
fn mark_complete(repo: &GitRepo, history: &ReleaseHistory, cuts: &mut [SquashCut]) -> Result<()> {
    let mut requests = Vec::new();
    let mut owners = Vec::new();
    for (c, cut) in cuts.iter().enumerate() {
        let Some(release) = history.position(&cut.release) else {
            continue;
        };
        for member in history.lineage.members(release) {
            for path in &cut.deleted {
                requests.push(format!("{}:{path}", history.commits[member]));
                owners.push((c, member));
            }
        }
    }
    let present = objects::exist(repo, &requests)?;
    let mut missing: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (owner, present) in owners.into_iter().zip(present) {
        seen.insert(owner);
        if !present {
            missing.insert(owner);
        }
    }
    for (c, member) in seen.difference(&missing) {
        cuts[*c].complete.insert(history.versions[*member].clone());
    }
    Ok(())
}

fn removed_python_files(scan: &PairScan) -> Vec<&str> {
    scan.files
        .iter()
        .filter_map(|raw| match raw.file.change {
            ChangeKind::Deleted => Some(raw.file.path.as_str()),
            ChangeKind::Renamed => raw.file.old_path.as_deref(),
            _ => None,
        })
        .filter(|path| path.ends_with(".py"))
        .collect()
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(dir, _)| dir)
}
