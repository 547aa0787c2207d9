//! Table tests for the upgrade-path planner, Backend.AI's documented rule first.
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
        "23.03.11", "23.09.0", "23.09.1", "23.09.2", "23.09.3", "23.09.4", "23.09.5", "23.09.6",
        "23.09.7", "23.09.8", "23.09.9", "23.09.10", "24.03.0",
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

mod direct;
