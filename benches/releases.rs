//! Benchmark: `releases` over a generated LAVA-size history (20,000 commits,
//! 160 monthly release tags plus 16 maintenance releases on side branches,
//! 120 Django migrations in four apps), against `git log --name-status` over
//! the same range as the floor, and against the former way (one `git diff`
//! per pair of tags in version order). Run with `cargo bench --bench
//! releases`; prints the figures.

use schemagate::core::detect::RuleSet;
use schemagate::core::release::Scheme;
use schemagate::git::diff::Range;
use schemagate::git::repo::GitRepo;
use schemagate::releases::{ReleaseHistory, release_changes, scan_pairs};
use schemagate::scan::scan_range;
use std::process::Command;
use std::time::Instant;

include!("shared/lava_history.rs");
include!("shared/timing.rs");

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let migrations = build_history(dir.path(), &migration_text);
    let tags = RELEASES + RELEASES / MAINTENANCE_EVERY;
    println!(
        "built {COMMITS} commits, {tags} release tags and {migrations} migrations in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let repo = GitRepo::open(dir.path()).expect("repository");
    let rules = RuleSet::builtin();
    let scheme = Scheme::Calver;

    let ours = best_of(3, || {
        let history = ReleaseHistory::read(&repo, &scheme).expect("history");
        let scans = scan_pairs(&repo, &history, &rules).expect("scans");
        let changes = release_changes(&history, &scans);
        assert_eq!(changes.len(), tags - 1);
        let with_db = changes.iter().filter(|c| c.db_change).count();
        // Mainline releases with a migration; a maintenance release adds none.
        assert_eq!(with_db, migrations);
    });
    let floor = best_of(3, || {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["log", "--name-status", "--format=%H", "--tags"])
            .arg(format!("^{}", release_name(0)))
            .output()
            .expect("git log");
        assert!(out.status.success());
    });
    let former = best_of(1, || {
        let history = ReleaseHistory::read(&repo, &scheme).expect("history");
        for pair in history.versions.windows(2) {
            let base = repo.resolve(&pair[0].raw).expect("tag");
            let range = Range {
                target: base.clone(),
                base,
                head: repo.resolve(&pair[1].raw).expect("tag"),
            };
            scan_range(&repo, &range, &rules).expect("scan");
        }
    });

    println!(
        "releases over {tags} tags / {COMMITS} commits: {:.1} ms",
        ms(ours)
    );
    println!(
        "floor, git log --name-status over the same range: {:.1} ms",
        ms(floor)
    );
    println!(
        "ratio releases / floor: {:.2}",
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "former way, one git diff per pair in version order: {:.1} ms ({:.1}x the one pass)",
        ms(former),
        former.as_secs_f64() / ours.as_secs_f64()
    );
}

fn migration_text(n: usize) -> String {
    format!(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.AddField(\"device\", \"f{n}\", None)]\n"
    )
}
