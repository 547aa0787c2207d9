//! Upgrade paths: which releases an admin must pass through between two versions.
//!
//! Pure: the known releases (tags or a list) and the releases that carried
//! database changes come in; a path, a verdict on a proposed path, or a
//! refusal with its reason goes out.
//!
//! A **series** is a version's first two components (`23.09` in `23.09.10`).
//! Pre-releases (`rc`, `a`, `b`, `dev`, semver `-…`) are never chosen as stops;
//! they may only be the start or the end of a path.

use crate::core::release::Version;
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
}

impl UpgradePolicy {
    pub const NAMES: [&'static str; 3] = ["consecutive", "stop-gaps", "db-stop-gaps"];

    pub fn from_name(name: &str) -> Option<UpgradePolicy> {
        match name {
            "consecutive" => Some(UpgradePolicy::Consecutive),
            "stop-gaps" => Some(UpgradePolicy::StopGaps),
            "db-stop-gaps" => Some(UpgradePolicy::DbStopGaps),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            UpgradePolicy::Consecutive => "consecutive",
            UpgradePolicy::StopGaps => "stop-gaps",
            UpgradePolicy::DbStopGaps => "db-stop-gaps",
        }
    }
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
    fn new(kind: RefusalKind, reason: String) -> UpgradeRefusal {
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
/// `DbStopGaps` reads them.
pub fn plan(
    versions: &[Version],
    from: &Version,
    to: &Version,
    policy: UpgradePolicy,
    db_releases: &BTreeSet<Version>,
) -> Result<Vec<Version>, UpgradeRefusal> {
    let catalog = Catalog::new(versions);
    let from = catalog.known(from)?;
    let to = catalog.known(to)?;
    if to < from {
        return Err(UpgradeRefusal::not_forward(&from, &to));
    }
    let mut stops: BTreeSet<Version> = BTreeSet::new();
    match policy {
        UpgradePolicy::Consecutive => {
            stops.extend(catalog.stable_strictly_between(&from, &to).cloned());
        }
        UpgradePolicy::StopGaps => stops.extend(catalog.series_exits(&from, &to)),
        UpgradePolicy::DbStopGaps => {
            stops.extend(catalog.series_exits(&from, &to));
            stops.extend(catalog.db_stops(db_releases));
        }
    }
    let mut path = vec![from.clone()];
    path.extend(stops.into_iter().filter(|stop| *stop > from && *stop < to));
    if to > from {
        path.push(to);
    }
    Ok(path)
}

/// Whether a proposed path (start, stops, end) is allowed under `policy`.
/// Returns the first broken rule, reported on the step that breaks it.
pub fn check(
    versions: &[Version],
    path: &[Version],
    policy: UpgradePolicy,
    db_releases: &BTreeSet<Version>,
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
    let db_stops = match policy {
        UpgradePolicy::DbStopGaps => catalog.db_stops(db_releases),
        _ => BTreeSet::new(),
    };
    for step in path.windows(2) {
        let (from, to) = (&step[0], &step[1]);
        if to <= from {
            return Err(UpgradeRefusal::not_forward(from, to));
        }
        match policy {
            UpgradePolicy::Consecutive => catalog.check_consecutive_step(from, to)?,
            UpgradePolicy::StopGaps | UpgradePolicy::DbStopGaps => {
                catalog.check_series_step(from, to)?;
                // `BTreeSet::range` would panic on equal excluded bounds; a
                // filter cannot, whatever the caller passes.
                if let Some(skipped) = db_stops.iter().find(|db| *db > from && *db < to) {
                    return Err(UpgradeRefusal::new(
                        RefusalKind::SkipsDbRelease,
                        format!(
                            "{from} → {to} skips {skipped}, which ships database migrations; \
                             stop there to run them"
                        ),
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
mod tests {
    use super::*;
    use crate::core::release::Scheme;

    fn v(text: &str) -> Version {
        Scheme::YyMmPatch
            .parse(text)
            .unwrap_or_else(|| panic!("{text} should parse"))
    }

    fn vs(texts: &[&str]) -> Vec<Version> {
        texts.iter().map(|t| v(t)).collect()
    }

    /// Backend.AI-shaped history: 23.03.0–11, 23.09.0–10, 24.03.0–5, with
    /// release candidates that must never be chosen as stops.
    fn backend_ai() -> Vec<Version> {
        let mut texts: Vec<String> = Vec::new();
        texts.extend((0..=11).map(|p| format!("23.03.{p}")));
        texts.extend((0..=10).map(|p| format!("23.09.{p}")));
        texts.extend((0..=5).map(|p| format!("24.03.{p}")));
        texts.extend(["23.09.0rc1", "24.03.0rc1", "24.03.0rc2", "24.09.0rc1"].map(String::from));
        texts.iter().map(|t| v(t)).collect()
    }

    fn none() -> BTreeSet<Version> {
        BTreeSet::new()
    }

    fn text(path: &[Version]) -> Vec<String> {
        path.iter().map(ToString::to_string).collect()
    }

    fn refusal(path: &[&str], policy: UpgradePolicy, db: &BTreeSet<Version>) -> String {
        check(&backend_ai(), &vs(path), policy, db)
            .expect_err("the path should be refused")
            .to_string()
    }

    const BACKEND_AI_ALLOWED: [&[&str]; 4] = [
        &["23.09.10", "24.03.0"],
        &["23.09.10", "24.03.5"],
        &["23.09.9", "23.09.10", "24.03.0"],
        &[
            "23.03.11", "23.09.0", "23.09.1", "23.09.2", "23.09.3", "23.09.4", "23.09.5",
            "23.09.6", "23.09.7", "23.09.8", "23.09.9", "23.09.10", "24.03.0",
        ],
    ];

    #[test]
    fn backend_ai_documented_allowed_paths_pass_stop_gaps() {
        for path in BACKEND_AI_ALLOWED {
            let result = check(&backend_ai(), &vs(path), UpgradePolicy::StopGaps, &none());
            assert_eq!(result, Ok(()), "{path:?} should be allowed");
        }
    }

    #[test]
    fn backend_ai_leaving_a_series_before_its_latest_patch_is_refused() {
        let reason = refusal(&["23.09.9", "24.03.0"], UpgradePolicy::StopGaps, &none());
        assert_eq!(
            reason,
            "23.09.9 → 24.03.0 skips 23.09.10, the latest release of series 23.09; \
             upgrade to 23.09.10 first"
        );
    }

    #[test]
    fn backend_ai_skipping_a_series_is_refused() {
        let reason = refusal(&["23.03.0", "24.03.0"], UpgradePolicy::StopGaps, &none());
        assert_eq!(
            reason,
            "23.03.0 → 24.03.0 skips series 23.09; pass through 23.09.10, its latest release"
        );
    }

    #[test]
    fn planned_paths_for_the_documented_endpoints_are_shortest_and_allowed() {
        let expected: [(&str, &str, &[&str]); 5] = [
            ("23.09.10", "24.03.0", &["23.09.10", "24.03.0"]),
            ("23.09.10", "24.03.5", &["23.09.10", "24.03.5"]),
            ("23.09.9", "24.03.0", &["23.09.9", "23.09.10", "24.03.0"]),
            ("23.03.11", "24.03.0", &["23.03.11", "23.09.10", "24.03.0"]),
            (
                "23.03.0",
                "24.03.0",
                &["23.03.0", "23.03.11", "23.09.10", "24.03.0"],
            ),
        ];
        for (from, to, want) in expected {
            let path = plan(
                &backend_ai(),
                &v(from),
                &v(to),
                UpgradePolicy::StopGaps,
                &none(),
            )
            .expect("plannable");
            assert_eq!(text(&path), want.to_vec(), "{from} → {to}");
            assert_eq!(
                check(&backend_ai(), &path, UpgradePolicy::StopGaps, &none()),
                Ok(())
            );
        }
    }

    #[test]
    fn every_planned_path_passes_its_own_check_under_every_policy() {
        let versions = backend_ai();
        let db = vs(&["23.03.4", "23.09.0rc1", "23.09.7", "24.03.0rc2", "24.03.3"])
            .into_iter()
            .collect();
        let policies = [
            UpgradePolicy::Consecutive,
            UpgradePolicy::StopGaps,
            UpgradePolicy::DbStopGaps,
        ];
        for from in &versions {
            for to in versions.iter().filter(|to| *to >= from) {
                for policy in policies {
                    let path = plan(&versions, from, to, policy, &db).expect("plannable");
                    assert_eq!(path.first(), Some(from));
                    assert_eq!(path.last(), Some(to));
                    assert_eq!(
                        check(&versions, &path, policy, &db),
                        Ok(()),
                        "{} under {}",
                        text(&path).join(" → "),
                        policy.name()
                    );
                }
            }
        }
    }

    #[test]
    fn jumping_forward_inside_a_series_is_allowed_under_stop_gaps() {
        let path = vs(&["23.09.0", "23.09.10"]);
        assert_eq!(
            check(&backend_ai(), &path, UpgradePolicy::StopGaps, &none()),
            Ok(())
        );
        let planned = plan(
            &backend_ai(),
            &v("23.09.0"),
            &v("23.09.10"),
            UpgradePolicy::StopGaps,
            &none(),
        );
        assert_eq!(text(&planned.unwrap()), ["23.09.0", "23.09.10"]);
    }

    #[test]
    fn prereleases_are_never_stops_but_may_be_the_ends() {
        let path = plan(
            &backend_ai(),
            &v("23.09.0rc1"),
            &v("24.09.0rc1"),
            UpgradePolicy::Consecutive,
            &none(),
        )
        .unwrap();
        assert_eq!(path.first().unwrap().to_string(), "23.09.0rc1");
        assert_eq!(path.last().unwrap().to_string(), "24.09.0rc1");
        assert!(path[1..path.len() - 1].iter().all(|v| !v.is_prerelease()));
        assert_eq!(path.len(), 2 + 11 + 6);

        let to_rc = plan(
            &backend_ai(),
            &v("23.09.10"),
            &v("24.03.0rc2"),
            UpgradePolicy::StopGaps,
            &none(),
        )
        .unwrap();
        assert_eq!(text(&to_rc), ["23.09.10", "24.03.0rc2"]);
    }

    #[test]
    fn a_series_with_only_prereleases_is_not_a_stop_gap() {
        let versions = vs(&["24.03.4", "24.03.5", "24.09.0rc1", "25.03.0"]);
        let path = vs(&["24.03.5", "25.03.0"]);
        assert_eq!(
            check(&versions, &path, UpgradePolicy::StopGaps, &none()),
            Ok(())
        );
    }

    #[test]
    fn consecutive_plans_every_release_and_refuses_a_skip() {
        let path = plan(
            &backend_ai(),
            &v("23.09.7"),
            &v("24.03.1"),
            UpgradePolicy::Consecutive,
            &none(),
        )
        .unwrap();
        assert_eq!(
            text(&path),
            [
                "23.09.7", "23.09.8", "23.09.9", "23.09.10", "24.03.0", "24.03.1"
            ]
        );
        let reason = refusal(
            &["23.09.8", "23.09.10"],
            UpgradePolicy::Consecutive,
            &none(),
        );
        assert_eq!(
            reason,
            "23.09.8 → 23.09.10 skips 23.09.9; the consecutive policy stops at every release"
        );
    }

    #[test]
    fn db_stop_gaps_stops_at_every_release_with_database_changes() {
        let db: BTreeSet<Version> = vs(&["23.09.4", "23.09.8", "24.03.2"]).into_iter().collect();
        let path = plan(
            &backend_ai(),
            &v("23.09.1"),
            &v("24.03.5"),
            UpgradePolicy::DbStopGaps,
            &db,
        )
        .unwrap();
        assert_eq!(
            text(&path),
            [
                "23.09.1", "23.09.4", "23.09.8", "23.09.10", "24.03.2", "24.03.5"
            ]
        );
        let without_db = plan(
            &backend_ai(),
            &v("23.09.1"),
            &v("24.03.5"),
            UpgradePolicy::StopGaps,
            &db,
        )
        .unwrap();
        assert_eq!(text(&without_db), ["23.09.1", "23.09.10", "24.03.5"]);
    }

    #[test]
    fn db_stop_gaps_refuses_a_path_that_skips_a_database_release() {
        let db: BTreeSet<Version> = vs(&["24.03.2"]).into_iter().collect();
        let reason = refusal(&["23.09.10", "24.03.5"], UpgradePolicy::DbStopGaps, &db);
        assert_eq!(
            reason,
            "23.09.10 → 24.03.5 skips 24.03.2, which ships database migrations; \
             stop there to run them"
        );
        let allowed = check(
            &backend_ai(),
            &vs(&["23.09.10", "24.03.2", "24.03.5"]),
            UpgradePolicy::DbStopGaps,
            &db,
        );
        assert_eq!(allowed, Ok(()));
    }

    #[test]
    fn a_database_prerelease_makes_its_first_stable_release_the_stop() {
        let db: BTreeSet<Version> = vs(&["24.03.0rc1"]).into_iter().collect();
        let path = plan(
            &backend_ai(),
            &v("23.03.11"),
            &v("24.03.5"),
            UpgradePolicy::DbStopGaps,
            &db,
        )
        .unwrap();
        assert_eq!(text(&path), ["23.03.11", "23.09.10", "24.03.0", "24.03.5"]);
    }

    #[test]
    fn calver_months_are_series() {
        let scheme = Scheme::Calver;
        let versions: Vec<Version> = ["2023.05", "2023.05.1", "2023.06", "2023.07"]
            .iter()
            .map(|t| scheme.parse(t).unwrap())
            .collect();
        let (from, to) = (&versions[0], &versions[2]);
        let path = plan(&versions, from, to, UpgradePolicy::StopGaps, &none()).unwrap();
        assert_eq!(text(&path), ["2023.05", "2023.05.1", "2023.06"]);
        let reason = check(
            &versions,
            &[from.clone(), to.clone()],
            UpgradePolicy::StopGaps,
            &none(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            reason,
            "2023.05 → 2023.06 skips 2023.05.1, the latest release of series 2023.05; \
             upgrade to 2023.05.1 first"
        );
    }

    #[test]
    fn semver_minor_lines_are_series_and_keep_their_spelling() {
        let scheme = Scheme::Semver;
        let versions: Vec<Version> = ["v1.3.0", "v1.3.2", "v1.4.0", "v1.4.1", "v1.5.0"]
            .iter()
            .map(|t| scheme.parse(t).unwrap())
            .collect();
        let from = scheme.parse("1.3.0").unwrap();
        let to = scheme.parse("1.5.0").unwrap();
        let path = plan(&versions, &from, &to, UpgradePolicy::StopGaps, &none()).unwrap();
        assert_eq!(text(&path), ["v1.3.0", "v1.3.2", "v1.4.1", "v1.5.0"]);
        let reason = check(
            &versions,
            &[versions[1].clone(), versions[4].clone()],
            UpgradePolicy::StopGaps,
            &none(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            reason,
            "v1.3.2 → v1.5.0 skips series 1.4; pass through v1.4.1, its latest release"
        );
    }

    #[test]
    fn unknown_versions_are_bad_input() {
        let error = plan(
            &backend_ai(),
            &v("23.09.10"),
            &v("24.03.9"),
            UpgradePolicy::StopGaps,
            &none(),
        )
        .unwrap_err();
        assert!(error.is_bad_input());
        assert_eq!(
            error.to_string(),
            "24.03.9 is not a known release; the known releases run from 23.03.0 to 24.09.0rc1"
        );
        let in_path = check(
            &backend_ai(),
            &vs(&["23.09.10", "23.09.11", "24.03.0"]),
            UpgradePolicy::StopGaps,
            &none(),
        )
        .unwrap_err();
        assert!(
            in_path
                .to_string()
                .starts_with("23.09.11 is not a known release;")
        );
        let empty = check(&backend_ai(), &[], UpgradePolicy::StopGaps, &none()).unwrap_err();
        assert_eq!(empty.kind, RefusalKind::EmptyPath);
        assert!(empty.is_bad_input());
    }

    #[test]
    fn downgrades_and_repeated_versions_are_refused() {
        let error = plan(
            &backend_ai(),
            &v("24.03.0"),
            &v("23.09.10"),
            UpgradePolicy::StopGaps,
            &none(),
        )
        .unwrap_err();
        assert!(!error.is_bad_input());
        assert!(
            error.to_string().contains("does not move forward"),
            "{error}"
        );
        let repeated = refusal(
            &["23.09.10", "23.09.10", "24.03.0"],
            UpgradePolicy::StopGaps,
            &none(),
        );
        assert!(repeated.starts_with("23.09.10 → 23.09.10 does not move forward"));
    }

    #[test]
    fn from_equal_to_is_a_one_version_path() {
        let path = plan(
            &backend_ai(),
            &v("24.03.1"),
            &v("24.03.1"),
            UpgradePolicy::DbStopGaps,
            &none(),
        )
        .unwrap();
        assert_eq!(text(&path), ["24.03.1"]);
        assert_eq!(
            check(&backend_ai(), &path, UpgradePolicy::Consecutive, &none()),
            Ok(())
        );
    }

    #[test]
    fn policies_round_trip_through_their_names() {
        for name in UpgradePolicy::NAMES {
            assert_eq!(
                UpgradePolicy::from_name(name).map(UpgradePolicy::name),
                Some(name)
            );
        }
        assert_eq!(UpgradePolicy::from_name("fast"), None);
    }

    #[test]
    fn series_labels_follow_the_written_version() {
        assert_eq!(series_label(&v("23.09.10")), "23.09");
        assert_eq!(series_label(&v("24.03.0rc1")), "24.03");
        let calver = Scheme::Calver.parse("2023.05.post1").unwrap();
        assert_eq!(series_label(&calver), "2023.05");
        let titled = Scheme::title_regex(r"^Release (?P<version>[\d.]+)$")
            .unwrap()
            .parse("Release 4.10.2")
            .unwrap();
        assert_eq!(series_label(&titled), "4.10");
    }
}
