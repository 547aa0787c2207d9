//! Benchmark: `releases` over a generated repository with 100 release tags and
//! 20,000 commits, against `git log --name-status` over the same range as the
//! floor. Run with `cargo bench --bench releases`; prints the figures.

use schemagate::core::detect::RuleSet;
use schemagate::core::release::Scheme;
use schemagate::git::repo::GitRepo;
use schemagate::git::tags::list_tags;
use schemagate::releases::{release_changes, release_versions};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COMMITS: usize = 20_000;
const RELEASES: usize = 100;
const SOURCE_FILES: usize = 400;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    build_history(dir.path());
    println!(
        "built {COMMITS} commits and {RELEASES} release tags in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let repo = GitRepo::open(dir.path()).expect("repository");
    let rules = RuleSet::builtin();
    let scheme = Scheme::Calver;

    let ours = best_of(3, || {
        let versions = release_versions(&list_tags(&repo).expect("tags"), &scheme);
        let changes = release_changes(&repo, &versions, &rules).expect("releases");
        assert_eq!(changes.len(), RELEASES - 1);
        let with_db = changes.iter().filter(|c| c.db_change).count();
        assert_eq!(
            with_db,
            (RELEASES - 1) / 3,
            "every third release adds a migration"
        );
    });
    let floor = best_of(3, || {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["log", "--name-status", "--format=%H", "2015.01..2023.04"])
            .output()
            .expect("git log");
        assert!(out.status.success());
    });

    println!(
        "releases over {RELEASES} tags / {COMMITS} commits: {:.1} ms",
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

/// Release names 2015.01, 2015.02, … one a month.
fn release_name(index: usize) -> String {
    format!("{}.{:02}", 2015 + index / 12, index % 12 + 1)
}

/// Writes the history through `git fast-import`: each commit edits one source
/// file; every 200th commit is a release, and every third release also adds a
/// Django migration.
fn build_history(dir: &std::path::Path) {
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
    for n in 1..=COMMITS {
        let message = format!("change {n}");
        writeln!(stream, "commit refs/heads/main\nmark :{n}").unwrap();
        writeln!(
            stream,
            "committer Bench <bench@example.org> {} +0000",
            1_400_000_000 + n * 60
        )
        .unwrap();
        writeln!(stream, "data {}\n{message}", message.len()).unwrap();
        if n > 1 {
            writeln!(stream, "from :{}", n - 1).unwrap();
        }
        let content = format!("VALUE = {n}\n");
        let path = format!("app/module_{}.py", n % SOURCE_FILES);
        writeln!(
            stream,
            "M 100644 inline {path}\ndata {}\n{content}",
            content.len()
        )
        .unwrap();
        let release = n / per_release;
        if n % per_release == 0 && release % 3 == 1 {
            migrations += 1;
            let migration = format!(
                "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.AddField(\"device\", \"f{migrations}\", None)]\n"
            );
            writeln!(
                stream,
                "M 100644 inline app/migrations/{migrations:04}_field_{migrations}.py\ndata {}\n{migration}",
                migration.len()
            )
            .unwrap();
        }
        if n % per_release == 0 {
            writeln!(
                stream,
                "reset refs/tags/{}\nfrom :{n}\n",
                release_name(release - 1)
            )
            .unwrap();
        }
    }
    drop(stream);
    assert!(import.wait().expect("fast-import").success());
    git(&["checkout", "-q", "main"]);
}
