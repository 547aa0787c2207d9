//! Table tests for the direct policy: straight to the target except at a
//! squash cut, LAVA's squashed results migrations as the example.
use super::super::*;
use super::text;
use crate::core::release::Scheme;
use crate::core::squash::SquashCut;

fn calver(texts: &[&str]) -> Vec<Version> {
    texts
        .iter()
        .map(|t| Scheme::Calver.parse(t).unwrap())
        .collect()
}

/// LAVA-shaped: 2026.04 deletes the 18 results migrations squashed away;
/// 2025.10 predates the newest of them, 2026.01 carries them all.
fn lava_squash() -> (Vec<Version>, HistoryFacts) {
    let versions = calver(&[
        "2025.10", "2025.12", "2026.01", "2026.02", "2026.04", "2026.06", "2026.07",
    ]);
    let cut = SquashCut {
        release: versions[4].clone(),
        last_carrier: versions[3].clone(),
        deleted: (1..=18)
            .map(|n| format!("lava_results_app/migrations/{n:04}_m.py"))
            .collect(),
        squashed: vec!["lava_results_app/migrations/0001_squashed_0018_drop_buglink.py".into()],
        complete: versions[2..4].iter().cloned().collect(),
    };
    let facts = HistoryFacts {
        db_releases: BTreeSet::new(),
        squash_cuts: vec![cut],
    };
    (versions, facts)
}

#[test]
fn direct_goes_straight_unless_a_squash_cut_lies_between() {
    let (versions, facts) = lava_squash();
    let path = |from: &str, to: &str| {
        let plan = plan_with(
            &versions,
            &calver(&[from])[0],
            &calver(&[to])[0],
            UpgradePolicy::Direct,
            &facts,
        )
        .unwrap();
        text(&plan.path)
    };
    assert_eq!(
        path("2025.10", "2026.07"),
        ["2025.10", "2026.02", "2026.07"]
    );
    // 2026.01 carries every deleted migration: the squash applies from it.
    assert_eq!(path("2026.01", "2026.07"), ["2026.01", "2026.07"]);
    // Not reaching the deleting release, or starting after it: no stop.
    assert_eq!(path("2025.10", "2026.02"), ["2025.10", "2026.02"]);
    assert_eq!(path("2026.04", "2026.07"), ["2026.04", "2026.07"]);
    // Landing on the deleting release counts as crossing it.
    assert_eq!(
        path("2025.12", "2026.04"),
        ["2025.12", "2026.02", "2026.04"]
    );
}

#[test]
fn direct_says_why_it_stops_and_check_names_the_deleted_migrations() {
    let (versions, facts) = lava_squash();
    let plan = plan_with(
        &versions,
        &versions[0],
        &versions[6],
        UpgradePolicy::Direct,
        &facts,
    )
    .unwrap();
    assert_eq!(plan.stops.len(), 1);
    assert!(
        plan.stops[0]
            .reason
            .starts_with("2026.04 deletes lava_results_app/migrations/0001_m.py, 0002_m.py,"),
        "{}",
        plan.stops[0].reason
    );
    let refused = check_with(
        &versions,
        &calver(&["2025.10", "2026.07"]),
        UpgradePolicy::Direct,
        &facts,
    )
    .unwrap_err();
    assert_eq!(refused.kind, RefusalKind::SkipsSquashCut);
    assert!(
        refused
            .reason
            .starts_with("2025.10 → 2026.07 jumps over 2026.02: 2026.04 deletes"),
        "{}",
        refused.reason
    );
    assert!(refused.reason.contains("0018_m.py"), "{}", refused.reason);
    assert!(refused.reason.ends_with("stop at 2026.02 first"));
    for allowed in [
        &["2025.10", "2026.02", "2026.07"][..],
        &["2026.01", "2026.07"],
        &["2025.10", "2025.12", "2026.01", "2026.07"],
    ] {
        assert_eq!(
            check_with(&versions, &calver(allowed), UpgradePolicy::Direct, &facts),
            Ok(()),
            "{allowed:?}"
        );
    }
}

#[test]
fn direct_refuses_when_no_release_ahead_carries_the_squashed_migrations() {
    let (versions, mut facts) = lava_squash();
    // 2026.02 is said not to carry them all, and the start is 2026.02.
    facts.squash_cuts[0].complete.clear();
    let refused = plan_with(
        &versions,
        &versions[3],
        &versions[6],
        UpgradePolicy::Direct,
        &facts,
    )
    .unwrap_err();
    assert_eq!(refused.kind, RefusalKind::SkipsSquashCut);
    assert!(refused.reason.contains("no upgrade path from 2026.02"));
}

#[test]
fn the_default_policy_follows_the_scheme() {
    assert_eq!(
        UpgradePolicy::default_for(&Scheme::Calver),
        UpgradePolicy::Direct
    );
    assert_eq!(
        UpgradePolicy::default_for(&Scheme::YyMmPatch),
        UpgradePolicy::StopGaps
    );
    assert_eq!(
        UpgradePolicy::default_for(&Scheme::Semver),
        UpgradePolicy::StopGaps
    );
}

#[test]
fn every_planned_direct_path_passes_its_own_check() {
    let (versions, facts) = lava_squash();
    for from in &versions {
        for to in versions.iter().filter(|to| *to >= from) {
            let plan = plan_with(&versions, from, to, UpgradePolicy::Direct, &facts).unwrap();
            assert_eq!(
                check_with(&versions, &plan.path, UpgradePolicy::Direct, &facts),
                Ok(()),
                "{}",
                text(&plan.path).join(" → ")
            );
            assert_eq!(plan.stops.len() + 2, plan.path.len().max(2));
        }
    }
}
