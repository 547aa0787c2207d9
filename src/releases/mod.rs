//! Which releases carried database changes: each release tag compared with
//! its predecessor (the latest earlier-versioned release that is its
//! ancestor; see `core::series`), with the same classification as `scan`.
//!
//! The history is read in one pass, whatever the number of tags: one
//! `rev-list` for the ancestry of all release commits, one `diff-tree
//! --stdin` for every release's diff, one `cat-file --batch` for the texts
//! the rules look at and, only when some rule reads added lines, one
//! `diff-tree --stdin -p` limited to those files.

mod squash;

pub use squash::squash_cuts;

use crate::core::compat::rolling;
use crate::core::detect::{FileContent, RuleSet};
use crate::core::release::{Scheme, Version};
use crate::core::series::Lineage;
use crate::core::types::{Match, is_db_change};
use crate::git::diff::RawChange;
use crate::git::history::tip_ancestry;
use crate::git::objects;
use crate::git::pairs::{CommitPair, added_lines_of_pairs, changes_of_pairs};
use crate::git::repo::GitRepo;
use crate::git::tags::list_tag_commits;
use crate::scan::{MigrationEntry, ScanReport};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What upgrading from a release's predecessor to it brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseChange {
    pub from: String,
    pub to: String,
    /// The release that starts the series (the history) both belong to.
    pub series: String,
    pub db_change: bool,
    /// Whether the upgrade can roll, old and new code side by side: true
    /// when every migration is expand (or there is none), false when one is
    /// contract, null when one is unknown.
    pub rolling: Option<bool>,
    pub migrations: Vec<MigrationEntry>,
}

/// The stable release tags of a repository and how they descend from each
/// other.
#[derive(Debug, Clone)]
pub struct ReleaseHistory {
    /// Parsed under the scheme, pre-releases left out (admins upgrade between
    /// releases), in version order, one tag per version when a version is
    /// tagged twice (`v1.2.0`, `1.2.0`).
    pub versions: Vec<Version>,
    /// The commit of each release.
    pub commits: Vec<String>,
    pub lineage: Lineage,
}

impl ReleaseHistory {
    /// Reads the release tags and their ancestry (one `for-each-ref`, one
    /// `rev-list`).
    pub fn read(repo: &GitRepo, scheme: &Scheme) -> Result<ReleaseHistory> {
        let mut releases: Vec<(Version, String)> = list_tag_commits(repo)?
            .into_iter()
            .filter_map(|tag| Some((scheme.parse(&tag.name)?, tag.commit)))
            .filter(|(version, _)| !version.is_prerelease())
            .collect();
        // Stable sort on the version, then keep the first of equal versions;
        // ties are broken by name so the kept spelling does not depend on
        // the order git lists refs in.
        releases.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.0.raw.cmp(&b.0.raw)));
        releases.dedup_by(|later, first| later.0 == first.0);
        let (versions, commits): (Vec<Version>, Vec<String>) = releases.into_iter().unzip();
        let ancestry = tip_ancestry(repo, &commits)
            .context("could not read the ancestry of the release tags")?;
        let lineage = Lineage::link(&versions, |a, b| {
            ancestry.is_ancestor(&commits[a], &commits[b])
        });
        Ok(ReleaseHistory {
            versions,
            commits,
            lineage,
        })
    }

    /// Every (predecessor, release) pair, in the release's version order.
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        (0..self.versions.len())
            .filter_map(|to| Some((self.lineage.predecessor[to]?, to)))
            .collect()
    }

    /// The name of a release's series: the release that starts it.
    pub fn series_name(&self, release: usize) -> &str {
        &self.versions[self.lineage.series[release]].raw
    }

    /// The position of `version` among the releases.
    pub fn position(&self, version: &Version) -> Option<usize> {
        self.versions.binary_search(version).ok()
    }
}

/// A release pair with everything the pass found for it.
#[derive(Debug, Clone)]
pub struct PairScan {
    pub from: usize,
    pub to: usize,
    /// Every changed file, with blob ids.
    pub files: Vec<RawChange>,
    /// The classified migrations among them.
    pub matches: Vec<Match>,
}

/// Diffs and classifies every pair of `history` in one pass (see the module
/// documentation for the git calls).
pub fn scan_pairs(
    repo: &GitRepo,
    history: &ReleaseHistory,
    rules: &RuleSet,
) -> Result<Vec<PairScan>> {
    let pairs = history.pairs();
    let commit_pairs: Vec<CommitPair> = pairs
        .iter()
        .map(|&(from, to)| CommitPair {
            from: history.commits[from].clone(),
            to: history.commits[to].clone(),
        })
        .collect();
    let files = changes_of_pairs(repo, &commit_pairs)
        .context("could not compare the release tags with their predecessors")?;
    let needs: Vec<Vec<_>> = files
        .iter()
        .map(|pair| {
            pair.iter()
                .filter_map(|raw| Some((raw, rules.content_needs(&raw.file)?)))
                .collect()
        })
        .collect();

    // One read for every text any pair needs, by blob id (shared blobs once).
    let mut blobs: Vec<String> = needs
        .iter()
        .flatten()
        .filter(|(_, need)| need.text)
        .map(|(raw, _)| raw.text_blob().to_string())
        .collect();
    blobs.sort_unstable();
    blobs.dedup();
    let texts: HashMap<String, String> = blobs
        .iter()
        .cloned()
        .zip(objects::texts(repo, &blobs)?)
        .filter_map(|(id, text)| Some((id, text?)))
        .collect();
    let added_paths: Vec<Vec<&str>> = needs
        .iter()
        .map(|pair| {
            pair.iter()
                .filter(|(_, need)| need.added_lines)
                .map(|(raw, _)| raw.file.path.as_str())
                .collect()
        })
        .collect();
    let added = added_lines_of_pairs(repo, &commit_pairs, &added_paths)?;

    let mut scans = Vec::with_capacity(pairs.len());
    for (i, &(from, to)) in pairs.iter().enumerate() {
        let matches = needs[i]
            .iter()
            .filter_map(|(raw, need)| {
                // A requested diff with no added lines is known to add
                // nothing, which differs from a diff we could not read.
                let added_lines = need
                    .added_lines
                    .then(|| added[i].get(&raw.file.path).map_or("", String::as_str));
                let content = FileContent {
                    text: texts.get(raw.text_blob()).map(String::as_str),
                    added_lines,
                };
                rules.classify(&raw.file, &content)
            })
            .collect();
        scans.push(PairScan {
            from,
            to,
            files: files[i].clone(),
            matches,
        });
    }
    Ok(scans)
}

/// The `releases` rows: for each release with a predecessor, what the
/// upgrade to it brings, in the release's version order.
pub fn release_changes(history: &ReleaseHistory, scans: &[PairScan]) -> Vec<ReleaseChange> {
    scans
        .iter()
        .map(|scan| {
            let report = ScanReport::from_matches(scan.matches.clone());
            ReleaseChange {
                from: history.versions[scan.from].raw.clone(),
                to: history.versions[scan.to].raw.clone(),
                series: history.series_name(scan.to).to_string(),
                db_change: report.db_change,
                rolling: report.rolling,
                migrations: report.migrations,
            }
        })
        .collect()
}

/// The releases whose upgrade runs database migrations: the `to` side of
/// every pair with a database change. This is what `upgrade-path --policy
/// db-stop-gaps` must stop at.
pub fn db_change_releases(history: &ReleaseHistory, scans: &[PairScan]) -> BTreeSet<Version> {
    releases_where(history, scans, is_db_change)
}

/// The releases whose upgrade cannot roll: a migration that is contract or
/// unknown (`upgrade-path --policy contract-stop-gaps` stops at them).
pub fn non_rolling_releases(history: &ReleaseHistory, scans: &[PairScan]) -> BTreeSet<Version> {
    releases_where(history, scans, |matches| rolling(matches) != Some(true))
}

fn releases_where(
    history: &ReleaseHistory,
    scans: &[PairScan],
    holds: impl Fn(&[Match]) -> bool,
) -> BTreeSet<Version> {
    scans
        .iter()
        .filter(|scan| holds(&scan.matches))
        .map(|scan| history.versions[scan.to].clone())
        .collect()
}
