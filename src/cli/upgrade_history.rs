//! What `upgrade-path --repo` reads from the repository beyond the tags: the
//! series the path stays in, the releases with database changes
//! (`db-stop-gaps`), those that cannot roll (`contract-stop-gaps`) and the
//! squash cuts (`direct`).

use crate::core::detect::RuleSet;
use crate::core::release::{Scheme, Version};
use crate::core::upgrade::{HistoryFacts, UpgradePolicy};
use crate::git::repo::GitRepo;
use crate::releases::{
    ReleaseHistory, db_change_releases, non_rolling_releases, scan_pairs, squash_cuts,
};
use anyhow::bail;
use std::path::Path;

/// Keeps the releases of `target`'s series (and the pre-releases, which are
/// never stops) in `versions`, and refuses any of `named` (the start, or a
/// proposed path) from another series: a tag of an unrelated history (a
/// product merged into the repository later) is no step on the way.
pub fn keep_series(
    history: &ReleaseHistory,
    versions: &mut Vec<Version>,
    named: &[Version],
    target: &Version,
) -> anyhow::Result<()> {
    let Some(target_at) = history.position(target) else {
        return Ok(());
    };
    let members: Vec<&Version> = history
        .lineage
        .members(target_at)
        .into_iter()
        .map(|i| &history.versions[i])
        .collect();
    let foreign = named.iter().find_map(|version| {
        let at = history.position(version)?;
        (history.lineage.series[at] != history.lineage.series[target_at]).then_some((version, at))
    });
    if let Some((start, start_at)) = foreign {
        bail!(
            "{start} and {target} belong to different histories (the series that starts at {} \
             and the one that starts at {}); an upgrade path stays within one",
            history.series_name(start_at),
            history.series_name(target_at)
        );
    }
    versions.retain(|v| v.is_prerelease() || members.contains(&v));
    Ok(())
}

/// The facts `policy` reads, found by one pass over the history of `repo`
/// (nothing is read for a policy that needs none). `db_releases` given by a
/// file replaces the scan's.
pub fn read_facts(
    repo: &Path,
    scheme: &Scheme,
    rules: &RuleSet,
    policy: UpgradePolicy,
    named: &[Version],
    target: &Version,
    versions: &mut Vec<Version>,
) -> anyhow::Result<HistoryFacts> {
    let repo = GitRepo::open(repo)?;
    let history = ReleaseHistory::read(&repo, scheme)?;
    keep_series(&history, versions, named, target)?;
    let mut facts = HistoryFacts::default();
    if !policy.stops_at_db_releases() && !policy.uses_squash_cuts() {
        return Ok(facts);
    }
    let scans = scan_pairs(&repo, &history, rules)?;
    match policy {
        UpgradePolicy::DbStopGaps => facts.db_releases = db_change_releases(&history, &scans),
        UpgradePolicy::ContractStopGaps => {
            facts.db_releases = non_rolling_releases(&history, &scans)
        }
        _ => {}
    }
    if policy.uses_squash_cuts() {
        facts.squash_cuts = squash_cuts(&repo, &history, &scans)?;
    }
    Ok(facts)
}
