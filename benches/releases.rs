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
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COMMITS: usize = 20_000;
const RELEASES: usize = 160;
const SOURCE_FILES: usize = 400;
const APPS: [&str; 4] = [
    "lava_scheduler_app",
    "lava_results_app",
    "linaro_django_xmlrpc",
    "lava_server",
];
/// Every tenth release gets a `.1` patch release on a branch of its own.
const MAINTENANCE_EVERY: usize = 10;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let migrations = build_history(dir.path());
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("at least one run")
}

/// Release names 2013.01, 2013.02, … one a month.
fn release_name(index: usize) -> String {
    format!("{}.{:02}", 2013 + index / 12, index % 12 + 1)
}

fn migration_text(n: usize) -> String {
    format!(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.AddField(\"device\", \"f{n}\", None)]\n"
    )
}

/// Writes the history through `git fast-import`: each commit edits one source
/// file; every 125th commit is a release, three releases in four also add a
/// Django migration (apps in turn), and every tenth release gets a patch
/// release on a side branch. Returns how many migrations it added.
fn build_history(dir: &std::path::Path) -> usize {
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .status()
            .expect("git");
        assert!(status.success());
    };
    git(&["init", "-q", "-b", "main"]);
    let mut import = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    let mut stream = std::io::BufWriter::new(import.stdin.take().expect("stdin"));
    let per_release = COMMITS / RELEASES;
    let mut migrations = 0;
    let mut side_mark = COMMITS;
    let commit_header = |stream: &mut dyn Write, branch: &str, mark: usize, n: usize| {
        let message = format!("change {n}");
        writeln!(stream, "commit refs/heads/{branch}\nmark :{mark}").unwrap();
        writeln!(
            stream,
            "committer Bench <bench@example.org> {} +0000",
            1_300_000_000 + n * 600
        )
        .unwrap();
        writeln!(stream, "data {}\n{message}", message.len()).unwrap();
    };
    for n in 1..=COMMITS {
        commit_header(&mut stream, "main", n, n);
        if n > 1 {
            writeln!(stream, "from :{}", n - 1).unwrap();
        }
        let content = format!("VALUE = {n}\n");
        let path = format!("{}/module_{}.py", APPS[n % 4], n % SOURCE_FILES);
        writeln!(
            stream,
            "M 100644 inline {path}\ndata {}\n{content}",
            content.len()
        )
        .unwrap();
        if n % per_release != 0 {
            continue;
        }
        let release = n / per_release - 1;
        if !release.is_multiple_of(4) {
            migrations += 1;
            let text = migration_text(migrations);
            let app = APPS[migrations % 4];
            writeln!(
                stream,
                "M 100644 inline {app}/migrations/{migrations:04}_field_{migrations}.py\ndata {}\n{text}",
                text.len()
            )
            .unwrap();
        }
        writeln!(
            stream,
            "reset refs/tags/{}\nfrom :{n}\n",
            release_name(release)
        )
        .unwrap();
        if release.is_multiple_of(MAINTENANCE_EVERY) {
            side_mark += 1;
            let branch = format!("maint-{release}");
            commit_header(&mut stream, &branch, side_mark, n);
            writeln!(stream, "from :{n}").unwrap();
            let fix = format!("FIX = {release}\n");
            writeln!(
                stream,
                "M 100644 inline lava_server/fix.py\ndata {}\n{fix}",
                fix.len()
            )
            .unwrap();
            writeln!(
                stream,
                "reset refs/tags/{}.1\nfrom :{side_mark}\n",
                release_name(release)
            )
            .unwrap();
        }
    }
    drop(stream);
    assert!(import.wait().expect("fast-import").success());
    git(&["checkout", "-q", "main"]);
    migrations
}
