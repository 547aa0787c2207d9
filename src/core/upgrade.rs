//! Upgrade paths: which releases an admin must pass through between two versions.
//!
//! Pure: the known releases (tags or a list) and the releases that carried
//! database changes come in; a path, a verdict on a proposed path, or a
//! refusal with its reason goes out.
//!
//! A **series** is a version's first two components (`23.09` in `23.09.10`).
//! Pre-releases (`rc`, `a`, `b`, `dev`, semver `-…`) are never chosen as stops;
//! they may only be the start or the end of a path.

mod stops;

pub use stops::{Plan, Stop};

use crate::core::release::{Scheme, Version};
use crate::core::squash::SquashCut;
use std::collections::BTreeSet;

/// Which releases an upgrade must stop at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradePolicy {
    /// Every release between `from` and `to`.
    Consecutive,
    /// Backend.AI's rule: never skip a series, and leave a series only from
    /// its latest release; jumps inside a series and into the next series are free.
    StopGaps,
    /// `StopGaps`, plus every release that shipped database migrations.
    DbStopGaps,
    /// `StopGaps`, plus every release whose upgrade cannot roll: one with a
    /// migration that is contract or unknown. Expand-only releases are
    /// crossed, as old and new code both run on their schema.
    ContractStopGaps,
    /// Straight to the target, as Django runs the migrations in between in
    /// order, except where the history forces a stop: before a release that
    /// deletes migrations a squashed migration replaces, at the last release
    /// that carries them (see `core::squash`). The default for calver.
    Direct,
}

impl UpgradePolicy {
    pub const NAMES: [&'static str; 5] = [
        "consecutive",
        "stop-gaps",
        "db-stop-gaps",
        "contract-stop-gaps",
        "direct",
    ];

    pub fn from_name(name: &str) -> Option<UpgradePolicy> {
        match name {
            "consecutive" => Some(UpgradePolicy::Consecutive),
            "stop-gaps" => Some(UpgradePolicy::StopGaps),
            "db-stop-gaps" => Some(UpgradePolicy::DbStopGaps),
            "contract-stop-gaps" => Some(UpgradePolicy::ContractStopGaps),
            "direct" => Some(UpgradePolicy::Direct),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            UpgradePolicy::Consecutive => "consecutive",
            UpgradePolicy::StopGaps => "stop-gaps",
            UpgradePolicy::DbStopGaps => "db-stop-gaps",
            UpgradePolicy::ContractStopGaps => "contract-stop-gaps",
            UpgradePolicy::Direct => "direct",
        }
    }

    /// The policy used when none is named: `direct` for calver, whose
    /// monthly releases are not series an admin must finish (LAVA's guide
    /// says to upgrade straight to the latest release); `stop-gaps`
    /// otherwise, Backend.AI's documented rule for `yy.mm.patch`.
    pub fn default_for(scheme: &Scheme) -> UpgradePolicy {
        match scheme {
            Scheme::Calver => UpgradePolicy::Direct,
            _ => UpgradePolicy::StopGaps,
        }
    }

    /// Whether the policy stops at the releases in `HistoryFacts::db_releases`.
    pub fn stops_at_db_releases(self) -> bool {
        matches!(
            self,
            UpgradePolicy::DbStopGaps | UpgradePolicy::ContractStopGaps
        )
    }

    /// Why a policy stops at one of its database releases.
    fn db_stop_reason(self) -> &'static str {
        match self {
            UpgradePolicy::ContractStopGaps => {
                "its upgrade cannot roll (a migration may break the previous release's code), so it runs there with downtime"
            }
            _ => "it ships database migrations, which run there",
        }
    }

    /// Why a step may not jump over one of the policy's database releases.
    fn skipped_db_release(self, from: &Version, to: &Version, skipped: &Version) -> String {
        match self {
            UpgradePolicy::ContractStopGaps => format!(
                "{from} → {to} skips {skipped}, whose upgrade cannot roll \
                 (a migration may break the previous release's code); stop there"
            ),
            _ => format!(
                "{from} → {to} skips {skipped}, which ships database migrations; \
                 stop there to run them"
            ),
        }
    }

    /// Whether the policy reads the history's squash cuts.
    pub fn uses_squash_cuts(self) -> bool {
        self == UpgradePolicy::Direct
    }
}

/// What the history says beyond the list of releases: the releases that
/// carried database changes (read by `DbStopGaps`; for `ContractStopGaps`
/// those whose upgrade cannot roll) and the squash cuts (read by `Direct`).
#[derive(Debug, Clone, Default)]
pub struct HistoryFacts {
    pub db_releases: BTreeSet<Version>,
    pub squash_cuts: Vec<SquashCut>,
}

/// What kind of rule a refusal is about, for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// `check` was given no versions.
    EmptyPath,
    /// A version is not among the known releases.
    UnknownVersion,
    /// A step goes backwards or stays put.
    NotForward,
    /// A step jumps over a whole series.
    SkipsSeries,
    /// A step leaves a series before reaching its latest release.
    LeavesSeriesEarly,
    /// A step jumps over a release (the consecutive policy).
    SkipsRelease,
    /// A step jumps over a release with database changes (db-stop-gaps).
    SkipsDbRelease,
    /// A step crosses a release that deletes squashed-away migrations the
    /// starting release has not all applied (direct).
    SkipsSquashCut,
}

/// Why an upgrade (or a proposed path) is not allowed: the kind of rule, and
/// one sentence that names the offending step and what to do instead, e.g.
/// "23.09.9 → 24.03.0 skips 23.09.10, the latest release of series 23.09;
/// upgrade to 23.09.10 first".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct UpgradeRefusal {
    pub kind: RefusalKind,
    pub reason: String,
}

impl UpgradeRefusal {
    pub(crate) fn new(kind: RefusalKind, reason: String) -> UpgradeRefusal {
        UpgradeRefusal { kind, reason }
    }

    /// True when the input itself is wrong (an unknown version, an empty
    /// path) rather than the path breaking a rule; the CLI exits 2 for these.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self.kind,
            RefusalKind::EmptyPath | RefusalKind::UnknownVersion
        )
    }

    fn not_forward(from: &Version, to: &Version) -> UpgradeRefusal {
        UpgradeRefusal::new(
            RefusalKind::NotForward,
            format!(
                "{from} → {to} does not move forward; an upgrade path only goes to newer releases"
            ),
        )
    }
}

/// The shortest allowed path from `from` to `to` under `policy`, both ends
/// included (`[from]` when they are equal). Stops are taken from `versions`,
/// so the path keeps the list's spelling (`v1.2.3` stays `v1.2.3`).
///
/// `db_releases` are the releases that carried database changes; only
/// `DbStopGaps` reads them. [`plan_with`] also takes squash cuts and says
/// why at each stop.
pub fn plan(
    versions: &[Version],
    from: &Version,
    to: &Version,
    policy: UpgradePolicy,
    db_releases: &BTreeSet<Version>,
) -> Result<Vec<Version>, UpgradeRefusal> {
    let facts = HistoryFacts {
        db_releases: db_releases.clone(),
        squash_cuts: Vec::new(),
    };
    Ok(plan_with(versions, from, to, policy, &facts)?.path)
}

/// [`plan`] with every fact of the history, and the reason for each stop.
pub fn plan_with(
    versions: &[Version],
    from: &Version,
    to: &Version,
    policy: UpgradePolicy,
    facts: &HistoryFacts,
) -> Result<Plan, UpgradeRefusal> {
    let catalog = Catalog::new(versions);
    let from = catalog.known(from)?;
    let to = catalog.known(to)?;
    if to < from {
        return Err(UpgradeRefusal::not_forward(&from, &to));
    }
    let stops = match policy {
        UpgradePolicy::Consecutive => {
            stops::consecutive(catalog.stable_strictly_between(&from, &to))
        }
        UpgradePolicy::StopGaps => stops::gaps(&catalog.series_exits(&from, &to), None),
        UpgradePolicy::DbStopGaps | UpgradePolicy::ContractStopGaps => stops::gaps(
            &catalog.series_exits(&from, &to),
            Some((
                &catalog.db_stops(&facts.db_releases),
                policy.db_stop_reason(),
            )),
        ),
        UpgradePolicy::Direct => stops::squash(&catalog.stable, &from, &to, &facts.squash_cuts)?,
    };
    let mut path = vec![from.clone()];
    let stops: Vec<Stop> = stops
        .into_iter()
        .filter(|stop| stop.version > from && stop.version < to)
        .collect();
    path.extend(stops.iter().map(|stop| stop.version.clone()));
    if to > from {
        path.push(to);
    }
    Ok(Plan { path, stops })
}

/// Whether a proposed path (start, stops, end) is allowed under `policy`.
/// Returns the first broken rule, reported on the step that breaks it.
pub fn check(
    versions: &[Version],
    path: &[Version],
    policy: UpgradePolicy,
    db_releases: &BTreeSet<Version>,
) -> Result<(), UpgradeRefusal> {
    let facts = HistoryFacts {
        db_releases: db_releases.clone(),
        squash_cuts: Vec::new(),
    };
    check_with(versions, path, policy, &facts)
}

/// [`check`] with every fact of the history.
pub fn check_with(
    versions: &[Version],
    path: &[Version],
    policy: UpgradePolicy,
    facts: &HistoryFacts,
) -> Result<(), UpgradeRefusal> {
    if path.is_empty() {
        return Err(UpgradeRefusal::new(
            RefusalKind::EmptyPath,
            "the upgrade path is empty; give at least one version".to_string(),
        ));
    }
    let catalog = Catalog::new(versions);
    let path: Vec<Version> = path
        .iter()
        .map(|v| catalog.known(v))
        .collect::<Result<_, _>>()?;
    let db_stops = if policy.stops_at_db_releases() {
        catalog.db_stops(&facts.db_releases)
    } else {
        BTreeSet::new()
    };
    for step in path.windows(2) {
        let (from, to) = (&step[0], &step[1]);
        if to <= from {
            return Err(UpgradeRefusal::not_forward(from, to));
        }
        match policy {
            UpgradePolicy::Consecutive => catalog.check_consecutive_step(from, to)?,
            UpgradePolicy::Direct => stops::check_squash_step(from, to, &facts.squash_cuts)?,
            UpgradePolicy::StopGaps
            | UpgradePolicy::DbStopGaps
            | UpgradePolicy::ContractStopGaps => {
                catalog.check_series_step(from, to)?;
                // `BTreeSet::range` would panic on equal excluded bounds; a
                // filter cannot, whatever the caller passes.
                if let Some(skipped) = db_stops.iter().find(|db| *db > from && *db < to) {
                    return Err(UpgradeRefusal::new(
                        RefusalKind::SkipsDbRelease,
                        policy.skipped_db_release(from, to, skipped),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A series as people write it: `23.09` for `23.09.10`, `1.4` for `v1.4.2`,
/// `2023.05` for `2023.05.post1`. Falls back to the numbers when the raw
/// spelling is not a plain dotted version (a `title_regex` title).
pub fn series_label(version: &Version) -> String {
    let (major, minor) = version.series();
    let text = version.raw.strip_prefix('v').unwrap_or(&version.raw);
    let mut pieces = text.split('.');
    if let (Some(first), Some(second)) = (pieces.next(), pieces.next()) {
        let second_digits: String = second.chars().take_while(char::is_ascii_digit).collect();
        if first.parse() == Ok(major) && second_digits.parse() == Ok(minor) {
            return format!("{first}.{second_digits}");
        }
    }
    format!("{major}.{minor}")
}

/// The known releases, sorted and without duplicates, split into all of them
/// and the stable ones (the only candidates for a stop).
struct Catalog {
    all: Vec<Version>,
    stable: Vec<Version>,
}

impl Catalog {
    fn new(versions: &[Version]) -> Catalog {
        let mut all = versions.to_vec();
        // A stable sort keeps the first spelling of equal versions (`v1.2.3`
        // and `1.2.3` tags on one commit) for the dedup below.
        all.sort();
        all.dedup();
        let stable = all.iter().filter(|v| !v.is_prerelease()).cloned().collect();
        Catalog { all, stable }
    }

    /// The list's own copy of `version`, or a refusal when it is unknown.
    fn known(&self, version: &Version) -> Result<Version, UpgradeRefusal> {
        self.all
            .binary_search(version)
            .map(|i| self.all[i].clone())
            .map_err(|_| {
                let known = match (self.all.first(), self.all.last()) {
                    (Some(first), Some(last)) => {
                        format!("the known releases run from {first} to {last}")
                    }
                    _ => "there are no known releases".to_string(),
                };
                UpgradeRefusal::new(
                    RefusalKind::UnknownVersion,
                    format!("{version} is not a known release; {known}"),
                )
            })
    }

    fn stable_strictly_between<'a>(
        &'a self,
        from: &'a Version,
        to: &'a Version,
    ) -> impl Iterator<Item = &'a Version> + 'a {
        self.stable.iter().filter(move |v| *v > from && *v < to)
    }

    /// The latest stable release of a series, if the series has one.
    fn latest_of_series(&self, series: (u64, u64)) -> Option<&Version> {
        self.stable.iter().rev().find(|v| v.series() == series)
    }

    /// The latest release of every series from `from`'s up to (not including)
    /// `to`'s that lies after `from`: the stops needed to leave each series
    /// from its top.
    fn series_exits(&self, from: &Version, to: &Version) -> Vec<Version> {
        let (first, last) = (from.series(), to.series());
        let series: BTreeSet<(u64, u64)> = self
            .stable
            .iter()
            .map(Version::series)
            .filter(|s| *s >= first && *s < last)
            .collect();
        series
            .into_iter()
            .filter_map(|s| self.latest_of_series(s))
            .filter(|latest| *latest > from)
            .cloned()
            .collect()
    }

    /// Where each database release's migrations first reach a stable
    /// release: the release itself, or for a pre-release (or a version not in
    /// the list) the first stable release at or after it. An admin runs those
    /// migrations there, so that is the stop.
    fn db_stops(&self, db_releases: &BTreeSet<Version>) -> BTreeSet<Version> {
        db_releases
            .iter()
            .filter_map(|db| self.stable.iter().find(|v| *v >= db))
            .cloned()
            .collect()
    }

    fn check_consecutive_step(&self, from: &Version, to: &Version) -> Result<(), UpgradeRefusal> {
        match self.stable_strictly_between(from, to).next() {
            Some(skipped) => Err(UpgradeRefusal::new(
                RefusalKind::SkipsRelease,
                format!(
                    "{from} → {to} skips {skipped}; the consecutive policy stops at every release"
                ),
            )),
            None => Ok(()),
        }
    }

    /// One step under the stop-gap rule: within a series anything forward
    /// goes; across series, no series with a stable release may lie between,
    /// and the step must start at (or above) its series' latest release.
    fn check_series_step(&self, from: &Version, to: &Version) -> Result<(), UpgradeRefusal> {
        let (from_series, to_series) = (from.series(), to.series());
        if from_series == to_series {
            return Ok(());
        }
        let skipped_series = self
            .stable
            .iter()
            .map(Version::series)
            .find(|s| *s > from_series && *s < to_series);
        if let Some(latest) = skipped_series.and_then(|s| self.latest_of_series(s)) {
            let series = series_label(latest);
            return Err(UpgradeRefusal::new(
                RefusalKind::SkipsSeries,
                format!(
                    "{from} → {to} skips series {series}; pass through {latest}, its latest release"
                ),
            ));
        }
        match self.latest_of_series(from_series) {
            Some(latest) if from < latest => Err(UpgradeRefusal::new(
                RefusalKind::LeavesSeriesEarly,
                format!(
                    "{from} → {to} skips {latest}, the latest release of series {}; \
                     upgrade to {latest} first",
                    series_label(latest)
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
