//! Benchmark: migration conflicts. `scan BASE..HEAD` with its conflict
//! check over a LAVA-size history (one app with 100 Django migrations,
//! 2,000 commits, 400 other files), against `git diff --name-status` over
//! the same range as the floor and against `scan` without the check; and
//! the pure check of one new migration against a branch whose app holds
//! 500. Run with `cargo bench --bench conflicts`; prints the figures.

use schemagate::core::detect::RuleSet;
use schemagate::core::order::{OrderedFile, find_conflicts};
use schemagate::git::diff::Range;
use schemagate::git::repo::GitRepo;
use schemagate::scan::{scan_range, scan_range_with_conflicts};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COMMITS: usize = 2_000;
const MIGRATIONS: usize = 100;
const SOURCE_FILES: usize = 400;
const APP: &str = "lava_scheduler_app/migrations";

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    build_history(dir.path());
    println!(
        "built {COMMITS} commits with {MIGRATIONS} migrations in one app in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let repo = GitRepo::open(dir.path()).expect("repository");
    let rules = RuleSet::builtin();
    // BASE: the history before its last 5 migrations; HEAD adds them and
    // a twin of the first (two leaves).
    let range = Range::resolve(&repo, "base..main").expect("range");

    let with = best_of(5, || {
        let report = scan_range_with_conflicts(&repo, &range, &rules).expect("scan");
        assert_eq!(report.conflicts.as_ref().map(Vec::len), Some(1));
    });
    let without = best_of(5, || {
        scan_range(&repo, &range, &rules).expect("scan");
    });
    let floor = best_of(5, || {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["diff", "--name-status", "base", "main"])
            .output()
            .expect("git diff");
        assert!(out.status.success());
    });
    println!("scan with conflicts: {:.1} ms", ms(with));
    println!("scan without the check: {:.1} ms", ms(without));
    println!("floor, git diff --name-status: {:.1} ms", ms(floor));
    println!(
        "ratio to git diff: {:.1}x (without the check {:.1}x)",
        with.as_secs_f64() / floor.as_secs_f64(),
        without.as_secs_f64() / floor.as_secs_f64()
    );

    // The pure check: one new migration over 500 in its app, by name.
    let branch: Vec<OrderedFile> = (1..=500)
        .map(|n| ordered(&rules, &format!("{APP}/{n:04}_step.py"), None))
        .collect();
    let text = "class Migration(migrations.Migration):\n    dependencies = [(\"lava_scheduler_app\", \"0500_step\")]\n";
    let change = vec![ordered(&rules, &format!("{APP}/0501_next.py"), Some(text))];
    let spec = |f: &str| rules.order_spec(f);
    let runs = 200;
    let started = Instant::now();
    for _ in 0..runs {
        assert!(find_conflicts(&branch, &[], &change, &spec).is_empty());
    }
    println!(
        "one migration against 500 in its app: {:.3} ms per check",
        ms(started.elapsed()) / runs as f64
    );
}

fn ordered(rules: &RuleSet, path: &str, text: Option<&str>) -> OrderedFile {
    let (framework, key) = rules.order_key(path, text).expect("ordered");
    OrderedFile {
        path: path.into(),
        framework,
        key,
    }
}

fn migration(n: usize) -> String {
    let deps = if n == 1 {
        String::new()
    } else {
        format!("(\"lava_scheduler_app\", \"{:04}_step\")", n - 1)
    };
    format!(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [{deps}]\n    operations = []\n"
    )
}

/// Writes the history with `git fast-import`: source edits every commit, a
/// migration every `COMMITS / MIGRATIONS` commits; tag `base` before the
/// last five migrations; then a twin of migration 96 on the same parent.
fn build_history(dir: &std::path::Path) {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    let mut stream = String::new();
    let every = COMMITS / MIGRATIONS;
    let mut mark = 0;
    for commit in 0..COMMITS {
        mark += 1;
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{mark}\ncommitter Bench <bench@example.org> {} +0000\ndata 7\ncommit\n",
            1_700_000_000 + commit
        ));
        if commit > 0 {
            stream.push_str(&format!("from :{}\n", mark - 1));
        }
        let file = format!("lava_server/module_{}.py", commit % SOURCE_FILES);
        let body = format!("VALUE = {commit}\n");
        stream.push_str(&format!(
            "M 644 inline {file}\ndata {}\n{body}\n",
            body.len()
        ));
        if commit % every == 0 {
            let n = commit / every + 1;
            let text = migration(n);
            stream.push_str(&format!(
                "M 644 inline {APP}/{n:04}_step.py\ndata {}\n{text}\n",
                text.len()
            ));
            if n == MIGRATIONS {
                let twin = migration(n);
                stream.push_str(&format!(
                    "M 644 inline {APP}/{n:04}_twin.py\ndata {}\n{twin}\n",
                    twin.len()
                ));
            }
        }
        if commit == (MIGRATIONS - 5) * every - 1 {
            stream.push_str(&format!("reset refs/tags/base\nfrom :{mark}\n\n"));
        }
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
