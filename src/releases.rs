//! Which releases carried database changes: scans each consecutive pair of
//! release tags, in version order, with the same classification as `scan`.

use crate::core::detect::RuleSet;
use crate::core::release::{Scheme, Version};
use crate::git::diff::Range;
use crate::git::repo::GitRepo;
use crate::git::tags::release_tags;
use crate::scan::{MigrationEntry, scan_range};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeSet;

/// What upgrading from one release to the next brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseChange {
    pub from: String,
    pub to: String,
    pub db_change: bool,
    pub migrations: Vec<MigrationEntry>,
}

/// The release tags of `repo` worth comparing: parsed under `scheme`, in
/// version order, pre-releases left out (admins upgrade between releases),
/// and one tag per version when a version is tagged twice (`v1.2.0`, `1.2.0`).
pub fn release_versions(repo: &GitRepo, scheme: &Scheme) -> Result<Vec<Version>> {
    let mut versions: Vec<Version> = release_tags(repo, scheme)?
        .into_iter()
        .filter(|v| !v.is_prerelease())
        .collect();
    versions.dedup();
    Ok(versions)
}

/// For each consecutive pair of release tags, whether the later one added
/// database changes. The diff is tree to tree, so a maintenance-branch patch
/// release compares against the release that follows it in version order:
/// exactly what an admin upgrading between them runs.
pub fn release_changes(
    repo: &GitRepo,
    scheme: &Scheme,
    rules: &RuleSet,
) -> Result<Vec<ReleaseChange>> {
    let versions = release_versions(repo, scheme)?;
    versions
        .windows(2)
        .map(|pair| {
            let (from, to) = (&pair[0].raw, &pair[1].raw);
            let range = Range {
                base: repo.resolve(from)?,
                head: repo.resolve(to)?,
            };
            let report = scan_range(repo, &range, rules)
                .with_context(|| format!("could not compare {from} with {to}"))?;
            Ok(ReleaseChange {
                from: from.clone(),
                to: to.clone(),
                db_change: report.db_change,
                migrations: report.migrations,
            })
        })
        .collect()
}

/// The releases whose upgrade runs database migrations: the `to` side of every
/// pair with a database change. This is what `upgrade-path --policy
/// db-stop-gaps` must stop at.
pub fn db_change_releases(
    repo: &GitRepo,
    scheme: &Scheme,
    rules: &RuleSet,
) -> Result<BTreeSet<Version>> {
    Ok(release_changes(repo, scheme, rules)?
        .into_iter()
        .filter(|change| change.db_change)
        .filter_map(|change| scheme.parse(&change.to))
        .collect())
}
