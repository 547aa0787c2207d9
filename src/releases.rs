//! Which releases carried database changes: scans each consecutive pair of
//! release tags, in version order, with the same classification as `scan`.

use crate::core::detect::RuleSet;
use crate::core::release::{Scheme, Version};
use crate::git::diff::Range;
use crate::git::repo::GitRepo;
use crate::git::tags::list_tags;
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

/// The release tags worth comparing among `tags`: parsed under `scheme`, in
/// version order, pre-releases left out (admins upgrade between releases),
/// and one tag per version when a version is tagged twice (`v1.2.0`, `1.2.0`).
pub fn release_versions(tags: &[String], scheme: &Scheme) -> Vec<Version> {
    let mut versions: Vec<Version> = tags
        .iter()
        .filter_map(|tag| scheme.parse(tag))
        .filter(|v| !v.is_prerelease())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

/// For each consecutive pair of `versions` (see [`release_versions`]), whether
/// the later one added database changes. The diff is tree to tree, so a
/// maintenance-branch patch release compares against the release that
/// follows it in version order: exactly what an admin upgrading between them
/// runs.
pub fn release_changes(
    repo: &GitRepo,
    versions: &[Version],
    rules: &RuleSet,
) -> Result<Vec<ReleaseChange>> {
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
    let versions = release_versions(&list_tags(repo)?, scheme);
    Ok(release_changes(repo, &versions, rules)?
        .into_iter()
        .filter(|change| change.db_change)
        .filter_map(|change| scheme.parse(&change.to))
        .collect())
}
